/**
 * @module
 * HTTP check: one GET; healthy when the status is in the expected ranges and, if asked, the body
 * (first 64 KiB) contains the expected text. Redirects are not followed: a redirect to another
 * host would test that host, not this node.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { ProbeConfig } from '../config/anycast-config.ts'
import { describeSocketError, failed, type Probe, passed } from './probe.ts'
import { sourceAddress } from './source-address.ts'

type HttpProbeConfig = Extract<ProbeConfig, { type: 'http' }>

const maxBodyBytes = 64 * 1024

export function httpProbe(config: HttpProbeConfig): Probe {
  const url = new URL(config.url)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const localAddress = sourceAddress(config.source, url.hostname.replace(/^\[|\]$/g, ''))
  return (signal) =>
    new Promise((resolve, reject) => {
      const request = send(
        url,
        { method: 'GET', signal, localAddress, headers: { 'user-agent': 'preflight-anycast' } },
        (response) => {
          const status = response.statusCode ?? 0
          const statusOk = config.expectStatus.some(([low, high]) => status >= low && status <= high)
          let body = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => {
            if (body.length < maxBodyBytes) body += chunk
          })
          response.on('error', (error) =>
            signal.aborted ? reject(error) : resolve(failed(describeSocketError(error))),
          )
          response.on('end', () => {
            if (!statusOk) {
              resolve(
                failed(
                  `HTTP ${status} (expected ${config.expectStatus.map(([l, h]) => (l === h ? l : `${l}-${h}`)).join(', ')})`,
                ),
              )
            } else if (config.expectBody !== undefined && !body.includes(config.expectBody)) {
              resolve(failed(`HTTP ${status} but the body lacks '${config.expectBody}'`))
            } else {
              resolve(passed(`HTTP ${status}`))
            }
          })
        },
      )
      request.on('error', (error) =>
        signal.aborted ? reject(error) : resolve(failed(describeSocketError(error))),
      )
      request.end()
    })
}
