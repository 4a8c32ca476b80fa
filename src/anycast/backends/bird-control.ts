/**
 * @module
 * BIRD's control socket, spoken directly (what birdc does): the server greets with `0001`, each
 * command is one line, each reply line starts with a 4-digit code and `-` (more follows) or a
 * space (last line); continuation lines start with a space. The codes (BIRD's doc/reply_codes:
 * 0003 Reconfigured, 0004 in progress, 0005 queued, 8xxx run-time and 9xxx parse errors) tell the
 * outcomes apart without matching English text, and no process is forked per command.
 */
import { connect } from 'node:net'

export interface BirdReplyLine {
  readonly code: number
  readonly text: string
}

export interface BirdReply {
  readonly lines: readonly BirdReplyLine[]
  /** Code of the last line: 0 for plain success, 8xxx/9xxx for errors. */
  readonly code: number
  /** Text of the last line. */
  readonly text: string
}

export class BirdControlError extends Error {
  override readonly name = 'BirdControlError'
  constructor(
    message: string,
    readonly socket: string,
    override readonly cause?: unknown,
  ) {
    super(message)
  }
}

const linePattern = /^(\d{4})([ -])(.*)$/

/** Splits a received transcript into complete replies; `rest` is an incomplete tail. */
export function parseBirdReplies(text: string): { replies: BirdReply[]; rest: string } {
  const replies: BirdReply[] = []
  let lines: BirdReplyLine[] = []
  let lastCode = 0
  let consumed = 0
  let position = 0
  while (position < text.length) {
    const end = text.indexOf('\n', position)
    if (end < 0) break
    const raw = text.slice(position, end)
    position = end + 1
    const match = linePattern.exec(raw)
    if (match) {
      lastCode = Number(match[1])
      lines.push({ code: lastCode, text: match[3] ?? '' })
      if (match[2] === ' ') {
        replies.push({ lines, code: lastCode, text: match[3] ?? '' })
        lines = []
        consumed = position
      }
    } else {
      // A continuation line (" text") belongs to the code above it.
      lines.push({ code: lastCode, text: raw.replace(/^ /, '') })
    }
  }
  return { replies, rest: text.slice(consumed) }
}

/** Runs one command on a fresh connection and resolves with its reply. */
export function birdCommand(socket: string, command: string, timeoutMs: number): Promise<BirdReply> {
  return new Promise((resolve, reject) => {
    const connection = connect({ path: socket })
    let buffer = ''
    let greeted = false
    const timer = setTimeout(() => {
      finish(new BirdControlError(`no complete reply to '${command}' within ${timeoutMs}ms`, socket))
    }, timeoutMs)
    timer.unref()
    const finish = (error: Error | undefined, reply?: BirdReply) => {
      clearTimeout(timer)
      connection.destroy()
      if (reply) resolve(reply)
      else reject(error)
    }
    connection.setEncoding('utf8')
    connection.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'no such socket (is BIRD running?)' : error.message
      finish(new BirdControlError(`BIRD control socket ${socket}: ${why}`, socket, error))
    })
    connection.on('data', (chunk: string) => {
      buffer += chunk
      const { replies, rest } = parseBirdReplies(buffer)
      buffer = rest
      for (const reply of replies) {
        if (!greeted) {
          greeted = true
          if (reply.code !== 1) {
            finish(new BirdControlError(`unexpected greeting from BIRD: ${reply.code} ${reply.text}`, socket))
            return
          }
          connection.write(`${command}\n`)
          continue
        }
        finish(undefined, reply)
        return
      }
    })
    connection.on('end', () =>
      finish(new BirdControlError(`BIRD closed the control socket during '${command}'`, socket)),
    )
  })
}

export interface ConfigureOutcome {
  /** BIRD took the new configuration (done, in progress or queued). */
  readonly accepted: boolean
  /** BIRD is still applying it (0004, 0005): wait for `show status` to say it is up and running. */
  readonly inProgress: boolean
  readonly message: string
  /** Where BIRD says a rejected configuration is wrong (8002 `file:line:column message`). */
  readonly location?: { readonly file: string; readonly line: number; readonly column: number }
}

export function configureOutcome(reply: BirdReply): ConfigureOutcome {
  switch (reply.code) {
    case 3:
      return { accepted: true, inProgress: false, message: reply.text }
    case 4:
    case 5:
      return { accepted: true, inProgress: true, message: reply.text }
    default: {
      const located = /^(.+?):(\d+):(\d+) (.*)$/.exec(reply.text)
      if (located) {
        return {
          accepted: false,
          inProgress: false,
          message: reply.text,
          location: { file: located[1] ?? '', line: Number(located[2]), column: Number(located[3]) },
        }
      }
      return {
        accepted: false,
        inProgress: false,
        message: `${reply.text || 'no reply text'} (code ${reply.code})`,
      }
    }
  }
}

/** True when `show status` says no reconfiguration or shutdown is under way (0013 "Daemon is up and running"). */
export function isBirdIdle(reply: BirdReply): boolean {
  return reply.code === 13 && /up and running/.test(reply.text)
}

/** True when a `show route export PROTO PREFIX` reply lists a route (1007 lines), i.e. the prefix is exported. */
export function showsRoute(reply: BirdReply): boolean {
  return reply.lines.some((line) => line.code === 1007)
}
