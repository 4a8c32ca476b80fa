/**
 * @module
 * The CLI's end of the control socket: one request, one response.
 */
import { connect } from 'node:net'
import type { ControlRequest, ControlResponse } from './control-protocol.ts'

export class ControlUnreachableError extends Error {
  override readonly name = 'ControlUnreachableError'
}

export function sendControlRequest(
  path: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const connection = connect({ path })
    let buffer = ''
    const timer = setTimeout(() => {
      connection.destroy()
      reject(new ControlUnreachableError(`no answer from the daemon on ${path} within ${timeoutMs}ms`))
    }, timeoutMs)
    connection.setEncoding('utf8')
    connection.on('connect', () => connection.write(`${JSON.stringify(request)}\n`))
    connection.on('data', (chunk: string) => {
      buffer += chunk
    })
    connection.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      const why =
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'is the daemon running?' : error.message
      reject(new ControlUnreachableError(`cannot reach the anycast daemon on ${path}: ${why}`))
    })
    connection.on('end', () => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(buffer) as ControlResponse)
      } catch {
        reject(new ControlUnreachableError(`the daemon on ${path} sent an unreadable answer`))
      }
    })
  })
}
