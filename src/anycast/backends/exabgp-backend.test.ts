import assert from 'node:assert/strict'
import { createInterface } from 'node:readline'
import { PassThrough } from 'node:stream'
import { describe, test } from 'node:test'
import pino from 'pino'
import { FakeClock } from '../../../test/helpers/fake-clock.ts'
import type { ExabgpSettings } from '../config/anycast-config.ts'
import { parsePrefix } from '../ip-prefix.ts'
import { ExabgpBackend } from './exabgp-backend.ts'
import type { RouteIntent } from './routing-backend.ts'

const settings: ExabgpSettings = { nextHop: 'self', attributes: '', ack: true, ackTimeout: 5000 }
const dns = ['192.0.2.1/32', '2001:db8:53::1/128'].map(parsePrefix)
const web = ['198.51.100.80/32'].map(parsePrefix)
const intents = (dnsUp: boolean, webUp: boolean): RouteIntent[] => [
  { service: 'dns', prefixes: dns, announce: dnsUp },
  { service: 'web', prefixes: web, announce: webUp },
]

/**
 * Plays ExaBGP's side of the process API: reads the commands the daemon writes and answers each
 * with the ack `answer` chooses (undefined: no answer). The real ExaBGP 4.2 is exercised by
 * test/anycast/exabgp-backend.integration.test.ts.
 */
function exabgpPeer(
  options: Partial<ExabgpSettings> = {},
  answer: (command: string) => string | undefined = () => 'done',
) {
  const toExabgp = new PassThrough()
  const fromExabgp = new PassThrough()
  const commands: string[] = []
  const closed: string[] = []
  const clock = new FakeClock(0)
  const backend = new ExabgpBackend({
    settings: { ...settings, ...options },
    output: toExabgp,
    input: fromExabgp,
    clock,
    logger: pino({ level: 'silent' }),
    onClosed: (reason) => closed.push(reason),
  })
  createInterface({ input: toExabgp }).on('line', (command) => {
    commands.push(command)
    const reply = answer(command)
    if (reply) fromExabgp.write(`${reply}\n`)
  })
  return { backend, commands, closed, clock, fromExabgp }
}

describe('ExaBGP backend', () => {
  test('starts by withdrawing what an earlier run may have left, then announces and withdraws by difference', async () => {
    const { backend, commands } = exabgpPeer()
    const first = await backend.apply(intents(true, false))
    assert.equal(first.ok, true)
    assert.deepEqual(commands, [
      'withdraw route 198.51.100.80/32 next-hop self',
      'announce route 192.0.2.1/32 next-hop self',
      'announce route 2001:db8:53::1/128 next-hop self',
    ])
    assert.deepEqual([...first.announced], ['192.0.2.1/32', '2001:db8:53::1/128'])
    commands.length = 0
    const second = await backend.apply(intents(false, true))
    assert.deepEqual(commands, [
      'withdraw route 192.0.2.1/32 next-hop self',
      'withdraw route 2001:db8:53::1/128 next-hop self',
      'announce route 198.51.100.80/32 next-hop self',
    ])
    assert.deepEqual([...second.mayBeAnnounced], ['198.51.100.80/32'])
    commands.length = 0
    await backend.apply(intents(false, true))
    assert.deepEqual(commands, [], 'nothing to say when nothing changed')
  })

  test('attributes and next hop go on every announce', async () => {
    const { backend, commands } = exabgpPeer({
      nextHop: '198.51.100.2',
      attributes: 'med 100 community [64500:53]',
    })
    await backend.apply([{ service: 'web', prefixes: web, announce: true }])
    assert.deepEqual(commands, [
      'announce route 198.51.100.80/32 next-hop 198.51.100.2 med 100 community [64500:53]',
    ])
  })

  test('a withdraw answered with error stays "maybe announced" when this run announced it', async () => {
    let refuse = false
    const { backend } = exabgpPeer({}, (command) =>
      refuse && command.startsWith('withdraw') ? 'error' : 'done',
    )
    await backend.apply(intents(true, false))
    refuse = true
    const result = await backend.apply(intents(false, false))
    assert.equal(result.ok, false)
    assert.match(result.message, /withdraw route 192\.0\.2\.1\/32: error/)
    assert.equal(result.mayBeAnnounced.has('192.0.2.1/32'), true)
  })

  test('no ack within ack-timeout is a failure, and a late ack is not taken for the next command', async () => {
    let silent = true
    const { backend, clock, fromExabgp, commands } = exabgpPeer({}, () => (silent ? undefined : 'done'))
    const pending = backend.apply([{ service: 'web', prefixes: web, announce: true }])
    await clock.advance(5000)
    const result = await pending
    assert.equal(result.ok, false)
    assert.match(result.message, /announce route 198\.51\.100\.80\/32: timeout/)
    assert.equal(result.mayBeAnnounced.has('198.51.100.80/32'), true, 'it may have reached ExaBGP')
    // ExaBGP answers the old command late, then the retry.
    fromExabgp.write('error\n')
    silent = false
    const retry = await backend.apply([{ service: 'web', prefixes: web, announce: true }])
    assert.equal(retry.ok, true)
    assert.equal(commands.filter((c) => c.startsWith('announce')).length, 2)
  })

  test('without acks a command counts once it is written', async () => {
    const { backend } = exabgpPeer({ ack: false }, () => undefined)
    const result = await backend.apply([{ service: 'web', prefixes: web, announce: true }])
    assert.equal(result.ok, true)
  })

  test('after ExaBGP said shutdown its routes are gone with its sessions; after a bare close they may not be', async () => {
    const shutdown = exabgpPeer()
    await shutdown.backend.apply(intents(true, false))
    shutdown.fromExabgp.write('shutdown 4797 1\n')
    await new Promise((resolve) => setImmediate(resolve))
    const afterShutdown = await shutdown.backend.apply(intents(false, false))
    assert.equal(afterShutdown.ok, true)
    assert.deepEqual([...afterShutdown.mayBeAnnounced], [])

    // ExaBGP respawns a process that went away and keeps the routes it had announced.
    const closed = exabgpPeer()
    await closed.backend.apply(intents(true, false))
    closed.fromExabgp.end()
    await new Promise((resolve) => setImmediate(resolve))
    const afterClose = await closed.backend.apply(intents(false, false))
    assert.equal(afterClose.ok, false)
    assert.deepEqual([...afterClose.mayBeAnnounced], ['192.0.2.1/32', '2001:db8:53::1/128'])
  })

  test('ExaBGP saying shutdown, or closing our stdin, stops the daemon', async () => {
    const { closed, fromExabgp } = exabgpPeer()
    // ExaBGP 4.2.21's text encoder: `shutdown PID PPID`, then an empty line.
    fromExabgp.write('shutdown 4797 1\n\n')
    fromExabgp.end()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(closed, ['ExaBGP is shutting down'])
  })
})
