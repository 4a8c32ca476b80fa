/**
 * @module
 * Port checks: TCP is healthy when a connection opens; UDP when any datagram comes back to the
 * payload sent (ICMP port unreachable fails at once; silence fails at the time-out).
 */
import type { ProbeConfig } from '../config/anycast-config.ts'
import { describeSocketError, failed, type Probe, passed } from './probe.ts'
import { tcpOpen, udpRequest } from './socket-exchange.ts'
import { sourceAddress } from './source-address.ts'

type PortProbeConfig = Extract<ProbeConfig, { type: 'tcp' | 'udp' }>

export function portProbe(config: PortProbeConfig): Probe {
  const endpoint = {
    host: config.target,
    port: config.port,
    source: sourceAddress(config.source, config.target),
  }
  const where = `${config.type} ${config.target}:${config.port}`
  return async (signal) => {
    try {
      if (config.type === 'tcp') {
        const socket = await tcpOpen(endpoint, signal)
        socket.destroy()
        return passed(`${where} accepted the connection`)
      }
      const reply = await udpRequest(endpoint, Buffer.from(config.payload, 'utf8'), signal)
      return passed(`${where} replied with ${reply.length} bytes`)
    } catch (error) {
      if (signal.aborted) throw error
      return failed(`${where}: ${describeSocketError(error)}`)
    }
  }
}
