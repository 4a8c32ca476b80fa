/**
 * @module
 * The lab's client probe (tools/anycast-lab/probe.py, in TypeScript on node:dgram): asks
 * `whoami.lab.test TXT` of one address every `interval` ms, one query at a time, and reports per
 * query the send time, which site answered (the TXT text) or TIMEOUT/ERROR, and the round trip.
 * Late replies to an earlier query are ignored. It refuses any target outside the documentation
 * ranges and loopback, so it can only ever reach the lab.
 */
import { createSocket } from 'node:dgram'
import { BlockList } from 'node:net'
import { decodeDnsReply, encodeDnsQuery, replyMismatch } from '../../../src/anycast/checks/dns-message.ts'

export interface ProbeSample {
  /** Epoch milliseconds when the query was sent. */
  at: number
  /** The site's name, `TIMEOUT`, or `ERROR:<code>`. */
  answer: string
  rttMs: number
}

export interface ProbeOptions {
  target: string
  /** @default 'whoami.lab.test' */
  name?: string
  /** @default 20 */
  intervalMs?: number
  /** @default 100 */
  timeoutMs?: number
  /** Hard limit: the probe always stops. @default 300_000 */
  durationMs?: number
}

const labRanges = new BlockList()
for (const [network, length] of [
  ['127.0.0.0', 8],
  ['192.0.2.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
] as const) {
  labRanges.addSubnet(network, length, 'ipv4')
}

export function isLabAddress(address: string): boolean {
  return labRanges.check(address, 'ipv4')
}

/** The first TXT string of the answer section; undefined when there is none. */
export function firstTxt(message: Buffer): string | undefined {
  let offset = 12
  const skipName = () => {
    for (;;) {
      const length = message[offset] ?? 0
      if ((length & 0xc0) === 0xc0) {
        offset += 2
        return
      }
      offset += 1 + length
      if (length === 0) return
    }
  }
  const questions = message.readUInt16BE(4)
  for (let i = 0; i < questions; i++) {
    skipName()
    offset += 4
  }
  if (message.readUInt16BE(6) === 0) return undefined
  skipName()
  if (offset + 10 > message.length || message.readUInt16BE(offset) !== 16) return undefined
  const textLength = message[offset + 10] ?? 0
  return message.toString('latin1', offset + 11, offset + 11 + textLength)
}

export function formatSample(sample: ProbeSample): string {
  return `${sample.at} ${sample.answer} ${sample.rttMs.toFixed(2)}`
}

export function parseSample(line: string): ProbeSample | undefined {
  const [at, answer, rtt] = line.trim().split(' ')
  if (!at || !answer || !rtt) return undefined
  return { at: Number(at), answer, rttMs: Number(rtt) }
}

/** Runs the probe until `durationMs` passes or `signal` aborts, handing each sample to `onSample`. */
export async function runDnsProbe(
  options: ProbeOptions,
  onSample: (sample: ProbeSample) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!isLabAddress(options.target)) throw new Error(`refusing non-lab target ${options.target}`)
  const interval = options.intervalMs ?? 20
  const timeout = options.timeoutMs ?? 100
  const end = Date.now() + (options.durationMs ?? 300_000)
  const socket = createSocket('udp4')
  let waiting: ((reply: Buffer | Error) => void) | undefined
  socket.on('message', (message) => waiting?.(message))
  socket.on('error', (error) => waiting?.(error))
  let id = process.pid & 0xffff
  try {
    while (Date.now() < end && !signal?.aborted) {
      id = (id + 1) & 0xffff
      const query = {
        id,
        name: options.name ?? 'whoami.lab.test',
        type: 16,
        class: 1,
        recursionDesired: false,
      }
      const sent = Date.now()
      const started = performance.now()
      const answer = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => finish('TIMEOUT'), timeout)
        const finish = (value: string) => {
          clearTimeout(timer)
          waiting = undefined
          resolve(value)
        }
        waiting = (reply) => {
          if (reply instanceof Error)
            return finish(`ERROR:${(reply as NodeJS.ErrnoException).code ?? 'unknown'}`)
          try {
            // A late reply to an earlier query: keep waiting for ours.
            if (replyMismatch(query, decodeDnsReply(reply))) return
            finish(firstTxt(reply) ?? `RCODE${reply.readUInt16BE(2) & 0xf}`)
          } catch {
            finish('ERROR:malformed')
          }
        }
        socket.send(encodeDnsQuery(query), 53, options.target, (error) => {
          if (error) finish(`ERROR:${(error as NodeJS.ErrnoException).code ?? 'send'}`)
        })
      })
      onSample({ at: sent, answer, rttMs: performance.now() - started })
      const rest = interval - (Date.now() - sent)
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
    }
  } finally {
    socket.close()
  }
}
