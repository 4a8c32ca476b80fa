/**
 * @module
 * The two network exchanges the probes share: one UDP request/reply on a connected socket and one
 * TCP connection. Both bind the source address when asked: binding to the anycast address itself
 * fails (EADDRNOTAVAIL) when the address is not on this node, so the probe can never be answered
 * by another site (pitfall 10).
 */
import { createSocket } from 'node:dgram'
import { isIPv6, type Socket, connect as tcpConnect } from 'node:net'

export interface Endpoint {
  readonly host: string
  readonly port: number
  /** Source address to bind, if any. */
  readonly source: string | undefined
}

/**
 * Sends `payload` and resolves with the first datagram `accept` takes (others, such as late replies
 * to an earlier attempt, are skipped). Rejects on socket errors (ICMP port unreachable arrives as
 * ECONNREFUSED) and on abort.
 */
export function udpRequest(
  endpoint: Endpoint,
  payload: Buffer,
  signal: AbortSignal,
  accept: (message: Buffer) => boolean = () => true,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(endpoint.host) ? 'udp6' : 'udp4')
    const finish = (error: unknown, message?: Buffer) => {
      signal.removeEventListener('abort', onAbort)
      socket.removeAllListeners()
      socket.on('error', () => {})
      try {
        socket.close()
      } catch {
        // already closed
      }
      if (message) resolve(message)
      else reject(error)
    }
    const onAbort = () => finish(signal.reason)
    if (signal.aborted) {
      finish(signal.reason)
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.on('error', (error) => finish(error))
    socket.on('message', (message) => {
      if (accept(message)) finish(undefined, message)
    })
    socket.bind({ address: endpoint.source, port: 0, exclusive: true }, () => {
      // Node hands a failed connect (ENETUNREACH before the network is up) to this callback, not to
      // 'error'; @types/node declares it without the argument.
      const onConnect = (connectError?: Error) => {
        if (connectError) {
          finish(connectError)
          return
        }
        socket.send(payload, (error) => {
          if (error) finish(error)
        })
      }
      socket.connect(endpoint.port, endpoint.host, onConnect as () => void)
    })
  })
}

/** Resolves with a connected socket; the caller destroys it. Rejects on errors and on abort. */
export function tcpOpen(endpoint: Endpoint, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const socket = tcpConnect({ host: endpoint.host, port: endpoint.port, localAddress: endpoint.source })
    const onAbort = () => {
      socket.destroy()
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      reject(error)
    })
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

/** Reads from a connected socket until `complete` says the bytes so far are a whole reply. */
export function tcpReadUntil(
  socket: Socket,
  signal: AbortSignal,
  complete: (received: Buffer) => Buffer | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const done = (error: unknown, reply?: Buffer) => {
      signal.removeEventListener('abort', onAbort)
      socket.removeAllListeners('data')
      socket.destroy()
      if (reply) resolve(reply)
      else reject(error)
    }
    const onAbort = () => done(signal.reason)
    if (signal.aborted) {
      done(signal.reason)
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const reply = complete(received)
      if (reply) done(undefined, reply)
    })
    socket.once('error', (error) => done(error))
    socket.once('end', () => done(new Error(`connection closed after ${received.length} bytes`)))
  })
}
