/**
 * @module
 * ExaBGP backend: the daemon runs as an ExaBGP `process` and speaks its text API, one command per
 * line on stdout (`announce route 192.0.2.53/32 next-hop self`, `withdraw route …`). With
 * `ack = yes` (exabgp.api.ack, the default of ExaBGP 4.x/5.x) ExaBGP answers each command with
 * `done` or `error` on our stdin, in order; a withdraw counts as done only on `done`. ExaBGP 4.2
 * answers `error` only to a command it cannot parse or apply to any neighbor (a withdraw of a
 * route it does not have is `done`). Without acks a command counts as done once it is flushed to
 * the pipe. `shutdown` (ExaBGP 4.2's text encoder adds its pid and ppid: `shutdown 812 1`) on
 * stdin, or stdin closing, means ExaBGP is going away: the daemon stops.
 */
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { ExabgpSettings } from '../config/anycast-config.ts'
import type { ApplyResult, RouteIntent, RoutingBackend } from './routing-backend.ts'

export interface ExabgpBackendOptions {
  readonly settings: ExabgpSettings
  /** ExaBGP reads our commands here (the process's stdout). */
  readonly output: Writable
  /** ExaBGP's acks and messages arrive here (the process's stdin). */
  readonly input: Readable
  readonly clock: Clock
  readonly logger: Logger
  /** ExaBGP said `shutdown` or closed our stdin. */
  readonly onClosed: (reason: string) => void
}

/** `shutdown`: ExaBGP said it is shutting down, so its BGP sessions, and every route on them, go. */
type Ack = 'done' | 'error' | 'timeout' | 'shutdown'

interface PendingAck {
  expired: boolean
  resolve: (ack: Ack) => void
}

export class ExabgpBackend implements RoutingBackend {
  readonly kind = 'exabgp'
  readonly minGap = 0
  private announced = new Set<string>()
  private mayBeAnnounced: Set<string> | undefined
  /** Acks arrive in command order; a late ack still consumes the entry of its timed-out command. */
  private readonly pending: PendingAck[] = []
  /** Set once ExaBGP is gone: what every later command gets instead of an ack. */
  private closedAck: Ack | undefined

  constructor(private readonly options: ExabgpBackendOptions) {
    const lines = createInterface({ input: options.input })
    lines.on('line', (line) => this.onLine(line.trim()))
    // A closed pipe alone does not mean the routes are gone: ExaBGP may respawn us and keep them.
    lines.on('close', () => this.lost('ExaBGP closed our stdin', 'error'))
    options.output.on('error', () => this.lost('ExaBGP closed our stdout', 'error'))
  }

  private onLine(line: string): void {
    if (line === 'done' || line === 'error') {
      const entry = this.pending.shift()
      if (entry && !entry.expired) entry.resolve(line)
      else if (!entry)
        this.options.logger.warn({ event: 'exabgp-ack', reply: line }, `unexpected '${line}' from ExaBGP`)
    } else if (line === 'shutdown' || line.startsWith('shutdown ')) {
      this.lost('ExaBGP is shutting down', 'shutdown')
    }
    // Anything else is a BGP message from an `api { receive … }` stanza: not ours to act on.
  }

  private lost(reason: string, ack: Ack): void {
    if (this.closedAck) return
    this.closedAck = ack
    for (const entry of this.pending.splice(0)) entry.resolve(ack)
    this.options.onClosed(reason)
  }

  private send(command: string): Promise<Ack> {
    const { output, settings, clock } = this.options
    if (this.closedAck) return Promise.resolve(this.closedAck)
    return new Promise((resolve) => {
      const entry: PendingAck = { expired: false, resolve }
      if (settings.ack) {
        this.pending.push(entry)
        clock.setTimer(
          settings.ackTimeout,
          () => {
            if (entry.expired) return
            entry.expired = true
            resolve('timeout')
          },
          { keepAlive: false },
        )
      }
      output.write(`${command}\n`, (error) => {
        if (error) {
          entry.expired = true
          resolve('error')
        } else if (!settings.ack) {
          resolve('done')
        }
      })
    })
  }

  async apply(intents: readonly RouteIntent[]): Promise<ApplyResult> {
    const { settings, logger } = this.options
    const nextHop = `next-hop ${settings.nextHop}`
    const desired = intents.filter((i) => i.announce).flatMap((i) => i.prefixes.map((p) => p.text))
    const desiredSet = new Set(desired)
    // What an earlier run of this process left in ExaBGP is unknown: withdraw everything not wanted.
    const previous = this.mayBeAnnounced ?? new Set(intents.flatMap((i) => i.prefixes.map((p) => p.text)))
    const mayBe = new Set(previous)
    const problems: string[] = []
    let sent = 0
    for (const prefix of previous) {
      if (desiredSet.has(prefix)) continue
      sent++
      const ack = await this.send(`withdraw route ${prefix} ${nextHop}`)
      // `error` means ExaBGP did not take the command: a route this run never announced is not
      // there either, one it announced may still be.
      if (ack === 'done' || ack === 'shutdown' || (ack === 'error' && !this.announced.has(prefix))) {
        mayBe.delete(prefix)
        this.announced.delete(prefix)
        logger.info({ event: 'exabgp-withdraw', prefix, reply: ack }, `withdraw route ${prefix}: ${ack}`)
      } else {
        problems.push(`withdraw route ${prefix}: ${ack}`)
      }
    }
    for (const prefix of desired) {
      if (this.announced.has(prefix)) continue
      sent++
      const ack = await this.send(
        `announce route ${prefix} ${nextHop}${settings.attributes ? ` ${settings.attributes}` : ''}`,
      )
      if (ack === 'done') {
        this.announced.add(prefix)
        mayBe.add(prefix)
        logger.info({ event: 'exabgp-announce', prefix, reply: ack }, `announce route ${prefix}: done`)
      } else {
        // A time-out may still have reached ExaBGP; an error did not.
        if (ack === 'timeout') mayBe.add(prefix)
        problems.push(`announce route ${prefix}: ${ack}`)
      }
    }
    this.mayBeAnnounced = mayBe
    return {
      ok: problems.length === 0,
      announced: new Set(this.announced),
      mayBeAnnounced: new Set(mayBe),
      message: problems.length > 0 ? problems.join('; ') : sent > 0 ? 'done' : 'unchanged',
      changed: sent > 0,
    }
  }

  async close(): Promise<void> {}
}
