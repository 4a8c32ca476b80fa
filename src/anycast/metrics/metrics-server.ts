/**
 * @module
 * The Prometheus endpoint: `GET /metrics` on a local address (node:http, no framework).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ListenAddress } from '../config/anycast-config.ts'

export interface MetricsServer {
  readonly address: AddressInfo
  close(): Promise<void>
}

export function startMetricsServer(listen: ListenAddress, render: () => string): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const url = request.url?.split('?')[0]
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n')
      return
    }
    const body = render()
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    response.end(request.method === 'HEAD' ? undefined : body)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject)
      resolve({
        address: server.address() as AddressInfo,
        close: () =>
          new Promise((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}
