/**
 * @module
 * DNS check: one query to the service address over UDP or TCP, from the service address itself by
 * default, so the answer can only come from this node. Healthy when the reply matches the
 * question, its rcode is expected and (optionally) it carries answers.
 */
import { randomInt } from 'node:crypto'
import type { ProbeConfig } from '../config/anycast-config.ts'
import {
  type DnsQuery,
  decodeDnsReply,
  dnsRcodeName,
  encodeDnsQuery,
  frameForTcp,
  replyMismatch,
} from './dns-message.ts'
import { describeSocketError, failed, type Probe, passed } from './probe.ts'
import { type Endpoint, tcpOpen, tcpReadUntil, udpRequest } from './socket-exchange.ts'
import { sourceAddress } from './source-address.ts'

type DnsProbeConfig = Extract<ProbeConfig, { type: 'dns' }>

/** Takes a whole length-prefixed message off the front of the bytes received, once all have arrived. */
function tcpMessage(received: Buffer): Buffer | undefined {
  if (received.length < 2) return undefined
  const length = received.readUInt16BE(0)
  return received.length >= 2 + length ? received.subarray(2, 2 + length) : undefined
}

export function dnsProbe(config: DnsProbeConfig): Probe {
  const endpoint: Endpoint = {
    host: config.target,
    port: config.port,
    source: sourceAddress(config.source, config.target),
  }
  return async (signal) => {
    const query: DnsQuery = {
      id: randomInt(0x10000),
      name: config.qname,
      type: config.qtype,
      class: config.qclass,
      recursionDesired: config.recursion,
    }
    const message = encodeDnsQuery(query)
    let raw: Buffer
    try {
      if (config.transport === 'udp') {
        raw = await udpRequest(endpoint, message, signal, (candidate) => {
          // Skip stray datagrams (a late reply to an earlier, timed-out query has another id).
          try {
            return replyMismatch(query, decodeDnsReply(candidate)) === undefined
          } catch {
            return false
          }
        })
      } else {
        const socket = await tcpOpen(endpoint, signal)
        socket.write(frameForTcp(message))
        raw = await tcpReadUntil(socket, signal, tcpMessage)
      }
    } catch (error) {
      if (signal.aborted) throw error
      return failed(`${config.transport} ${config.target}:${config.port}: ${describeSocketError(error)}`)
    }
    let reply: ReturnType<typeof decodeDnsReply>
    try {
      reply = decodeDnsReply(raw)
    } catch (error) {
      return failed(`malformed reply: ${(error as Error).message}`)
    }
    const mismatch = replyMismatch(query, reply)
    if (mismatch) return failed(mismatch)
    const summary = `${dnsRcodeName(reply.rcode)}, ${reply.answerCount} answer${reply.answerCount === 1 ? '' : 's'}${reply.truncated ? ', truncated' : ''}`
    if (!config.expectRcodes.includes(reply.rcode)) {
      return failed(`${summary} (expected ${config.expectRcodes.map(dnsRcodeName).join(' or ')})`)
    }
    if (config.expectAnswer && reply.answerCount === 0 && !reply.truncated)
      return failed(`${summary} (expected an answer)`)
    return passed(summary)
  }
}
