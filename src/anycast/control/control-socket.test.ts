import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ControlUnreachableError, sendControlRequest } from './control-client.ts'
import type { AnycastStatus, ControlRequest } from './control-protocol.ts'
import { startControlServer } from './control-server.ts'
import { renderStatusTable } from './status-table.ts'

const status: AnycastStatus = {
  pid: 4242,
  config: '/etc/preflight/anycast.conf',
  backend: 'bird',
  startedAt: Date.UTC(2026, 0, 1, 12, 0, 0),
  now: Date.UTC(2026, 0, 1, 12, 3, 20),
  lastReload: {
    ok: false,
    at: Date.UTC(2026, 0, 1, 12, 3, 10),
    message: 'BIRD rejected the configuration: bird.conf:12:3 syntax error',
  },
  services: [
    {
      name: 'dns',
      state: 'held',
      since: Date.UTC(2026, 0, 1, 12, 3, 0),
      health: 'healthy',
      drainedBy: undefined,
      penalty: 2868,
      flaps: 3,
      holdDownMs: 41_000,
      prefixes: [
        { prefix: '192.0.2.1/32', route: 'withdrawn', address: 'present' },
        { prefix: '2001:db8:53::1/128', route: 'pending', address: 'present' },
      ],
      checks: [
        {
          name: 'udp',
          type: 'dns',
          state: 'up',
          successes: 12,
          failures: 0,
          last: { ok: true, detail: 'NOERROR, 1 answer', at: Date.UTC(2026, 0, 1, 12, 3, 19), durationMs: 1 },
          nextAt: 0,
        },
      ],
    },
  ],
}

describe('control socket', () => {
  let directory: string
  let socket: string
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'preflight-control-'))
    socket = path.join(directory, 'anycast.sock')
  })
  after(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  test('one request, one answer; the socket is root-only; a second daemon is refused', async () => {
    const seen: ControlRequest[] = []
    const server = await startControlServer(socket, async (request) => {
      seen.push(request)
      return { ok: true, status, message: 'hello' }
    })
    try {
      assert.equal((await stat(socket)).mode & 0o777, 0o600)
      const answer = await sendControlRequest(
        socket,
        { command: 'drain', services: ['dns'], waitMs: 0 },
        2000,
      )
      assert.deepEqual(answer, JSON.parse(JSON.stringify({ ok: true, status, message: 'hello' })))
      assert.deepEqual(seen, [{ command: 'drain', services: ['dns'], waitMs: 0 }])
      await assert.rejects(
        startControlServer(socket, async () => ({ ok: false, error: 'x' })),
        /already listening/,
      )
    } finally {
      await server.close()
    }
  })

  test('a stale socket file is replaced; no daemon is a clear error', async () => {
    const stale = path.join(directory, 'stale.sock')
    await writeFile(stale, 'left by a crashed daemon')
    const server = await startControlServer(stale, async () => ({ ok: true, status }))
    try {
      assert.equal((await sendControlRequest(stale, { command: 'status' }, 2000)).ok, true)
    } finally {
      await server.close()
    }
    await assert.rejects(
      sendControlRequest(path.join(directory, 'none.sock'), { command: 'status' }, 1000),
      (error: Error) =>
        error instanceof ControlUnreachableError && /is the daemon running\?/.test(error.message),
    )
  })

  test('status reads as a table of prefixes and a table of checks', () => {
    const text = renderStatusTable(status)
    assert.match(
      text,
      /^preflight anycast: pid 4242, backend bird, up 3m20s, config \/etc\/preflight\/anycast\.conf$/m,
    )
    assert.match(
      text,
      /^last reload: FAILED at \d\d:\d\d:\d\d \(10s ago\): BIRD rejected the configuration: bird\.conf:12:3 syntax error$/m,
    )
    assert.match(
      text,
      /^dns +held +\d\d:\d\d:\d\d \(20s ago\) +192\.0\.2\.1\/32 +withdrawn +present +2868 +41s +no$/m,
    )
    assert.match(text, /^ +2001:db8:53::1\/128 +pending +present$/m)
    assert.match(text, /^dns +udp +dns +up +12 ok +ok: NOERROR, 1 answer +1ms +1s ago$/m)
  })
})
