import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { freePort } from '../../../test/helpers/free-port.ts'
import { type NsdServer, startNsd, testZone } from '../../../test/helpers/nsd-server.ts'
import type { ProbeConfig } from '../config/anycast-config.ts'
import { parsePrefix } from '../ip-prefix.ts'
import { ipCommandAddresses } from '../loopback/interface-addresses.ts'
import { createProbe } from './create-probe.ts'
import type { ProbeResult } from './probe.ts'

type DnsConfig = Extract<ProbeConfig, { type: 'dns' }>

const probe = (config: ProbeConfig, ms = 2000): Promise<ProbeResult> =>
  createProbe(config, ipCommandAddresses())(AbortSignal.timeout(ms))

describe('probes on loopback', () => {
  let directory: string
  let nsd: NsdServer
  let silentUdp: UdpSocket
  let echoUdp: UdpSocket
  let tcp: TcpServer
  let http: HttpServer
  let httpPort: number
  let dns: DnsConfig

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'preflight-probes-'))
    nsd = await startNsd(directory, { addresses: ['127.0.0.1'], port: await freePort() })
    dns = {
      type: 'dns',
      target: '127.0.0.1',
      port: nsd.port,
      transport: 'udp',
      qname: testZone,
      qtype: 6,
      qclass: 1,
      expectRcodes: [0],
      expectAnswer: true,
      recursion: false,
      source: { kind: 'target' },
    }
    silentUdp = createSocket('udp4')
    await new Promise<void>((resolve) => silentUdp.bind(0, '127.0.0.1', resolve))
    echoUdp = createSocket('udp4')
    echoUdp.on('message', (message, remote) => echoUdp.send(message, remote.port, remote.address))
    await new Promise<void>((resolve) => echoUdp.bind(0, '127.0.0.1', resolve))
    tcp = createTcpServer((socket) => socket.end())
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    http = createHttpServer((request, response) => {
      if (request.url === '/health') response.writeHead(200).end('all OK')
      else if (request.url === '/moved') response.writeHead(302, { location: 'http://192.0.2.1/' }).end()
      else response.writeHead(503).end('sick')
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    httpPort = (http.address() as { port: number }).port
  })
  after(async () => {
    await nsd?.stop()
    silentUdp?.close()
    echoUdp?.close()
    tcp?.close()
    http?.close()
    await rm(directory, { recursive: true, force: true })
  })

  test('dns over UDP and TCP against NSD', async () => {
    assert.deepEqual(await probe(dns), { ok: true, detail: 'NOERROR, 1 answer' })
    assert.deepEqual(await probe({ ...dns, transport: 'tcp' }), { ok: true, detail: 'NOERROR, 1 answer' })
    assert.deepEqual(await probe({ ...dns, qname: `whoami.${testZone}`, qtype: 16, transport: 'tcp' }), {
      ok: true,
      detail: 'NOERROR, 1 answer',
    })
  })

  test('dns: rcode and answer expectations', async () => {
    assert.deepEqual(await probe({ ...dns, qname: `missing.${testZone}` }), {
      ok: false,
      detail: 'NXDOMAIN, 0 answers (expected NOERROR)',
    })
    assert.equal(
      (await probe({ ...dns, qname: `missing.${testZone}`, expectRcodes: [0, 3], expectAnswer: false })).ok,
      true,
    )
    assert.deepEqual(await probe({ ...dns, qname: 'example.org' }), {
      ok: false,
      detail: 'REFUSED, 0 answers (expected NOERROR)',
    })
    // NODATA: the name exists, the type does not.
    assert.deepEqual(await probe({ ...dns, qtype: 16 }), {
      ok: false,
      detail: 'NOERROR, 0 answers (expected an answer)',
    })
  })

  test('dns: the source address must be on this node (the query cannot leave it)', async () => {
    const result = await probe({ ...dns, source: { kind: 'address', address: '192.0.2.99' } })
    assert.deepEqual(result, {
      ok: false,
      detail: `udp 127.0.0.1:${nsd.port}: source address is not on this node`,
    })
  })

  test('dns: nothing listening fails at once; silence fails at the time-out (abort)', async () => {
    const closed = await freePort()
    assert.deepEqual(await probe({ ...dns, port: closed }), {
      ok: false,
      detail: `udp 127.0.0.1:${closed}: connection refused (nothing listening)`,
    })
    const silentPort = silentUdp.address().port
    await assert.rejects(probe({ ...dns, port: silentPort }, 200), { name: 'TimeoutError' })
  })

  test('tcp and udp ports', async () => {
    const tcpPort = (tcp.address() as { port: number }).port
    assert.equal(
      (await probe({ type: 'tcp', target: '127.0.0.1', port: tcpPort, source: { kind: 'target' } })).ok,
      true,
    )
    const closed = await freePort()
    assert.deepEqual(
      await probe({ type: 'tcp', target: '127.0.0.1', port: closed, source: { kind: 'none' } }),
      {
        ok: false,
        detail: `tcp 127.0.0.1:${closed}: connection refused (nothing listening)`,
      },
    )
    const echo = echoUdp.address().port
    assert.deepEqual(
      await probe({
        type: 'udp',
        target: '127.0.0.1',
        port: echo,
        payload: 'ping',
        source: { kind: 'target' },
      }),
      { ok: true, detail: `udp 127.0.0.1:${echo} replied with 4 bytes` },
    )
  })

  test('http status ranges and body; redirects are not followed', async () => {
    const base = `http://127.0.0.1:${httpPort}`
    const http = (url: string, extra: Partial<Extract<ProbeConfig, { type: 'http' }>> = {}) =>
      probe({
        type: 'http',
        url,
        expectStatus: [[200, 299]],
        expectBody: undefined,
        source: { kind: 'none' },
        ...extra,
      })
    assert.deepEqual(await http(`${base}/health`, { expectBody: 'OK' }), { ok: true, detail: 'HTTP 200' })
    assert.deepEqual(await http(`${base}/health`, { expectBody: 'fine' }), {
      ok: false,
      detail: "HTTP 200 but the body lacks 'fine'",
    })
    assert.deepEqual(await http(`${base}/sick`), { ok: false, detail: 'HTTP 503 (expected 200-299)' })
    assert.deepEqual(await http(`${base}/moved`), { ok: false, detail: 'HTTP 302 (expected 200-299)' })
    assert.equal((await http(`${base}/moved`, { expectStatus: [[300, 399]] })).ok, true)
  })

  test('command: exit status, output tail, and a time-out kills the whole process group', async () => {
    assert.deepEqual(await probe({ type: 'command', command: 'echo fine' }), {
      ok: true,
      detail: 'exit 0: fine',
    })
    assert.deepEqual(await probe({ type: 'command', command: 'echo broken >&2; exit 3' }), {
      ok: false,
      detail: 'exit 3: broken',
    })
    const marker = `${31 + Math.random()}`
    await assert.rejects(probe({ type: 'command', command: `sleep ${marker} & sleep ${marker}` }, 300))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`sleep ${marker}`))
    assert.deepEqual(left, [])
  })

  test('address: every listed address must be on the interface', async () => {
    const check = (addresses: string[]) =>
      probe({ type: 'address', interface: 'lo', addresses: addresses.map(parsePrefix) })
    assert.deepEqual(await check(['::1/128']), { ok: true, detail: '1 address on lo' })
    assert.deepEqual(await check(['::1/128', '192.0.2.250/32']), {
      ok: false,
      detail: 'not on lo: 192.0.2.250/32',
    })
  })
})
