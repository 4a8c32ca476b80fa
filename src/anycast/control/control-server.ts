/**
 * @module
 * The daemon's end of the control socket (a unix socket, mode 0600: only root may drain). A
 * stale socket file left by a crashed daemon is replaced; a live one means another daemon runs,
 * and starting is refused.
 */
import { chmod, rm } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import type { ControlRequest, ControlResponse } from './control-protocol.ts'

export interface ControlServer {
  close(): Promise<void>
}

const maxRequestBytes = 64 * 1024

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path })
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}

export async function startControlServer(
  path: string,
  handle: (request: ControlRequest) => Promise<ControlResponse>,
): Promise<ControlServer> {
  if (await isListening(path)) throw new Error(`another daemon is already listening on ${path}`)
  await rm(path, { force: true })
  const server: Server = createServer((connection) => {
    let buffer = ''
    connection.setEncoding('utf8')
    connection.on('error', () => {})
    connection.on('data', (chunk: string) => {
      buffer += chunk
      if (buffer.length > maxRequestBytes) {
        connection.destroy()
        return
      }
      const end = buffer.indexOf('\n')
      if (end < 0) return
      connection.removeAllListeners('data')
      let request: ControlRequest
      try {
        request = JSON.parse(buffer.slice(0, end)) as ControlRequest
      } catch {
        connection.end(`${JSON.stringify({ ok: false, error: 'request is not JSON' })}\n`)
        return
      }
      handle(request).then(
        (response) => connection.end(`${JSON.stringify(response)}\n`),
        (error: unknown) =>
          connection.end(`${JSON.stringify({ ok: false, error: (error as Error).message })}\n`),
      )
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
  await chmod(path, 0o600)
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
      }),
  }
}
