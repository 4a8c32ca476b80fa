import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import pino from 'pino'
import { FakeClock } from '../../../test/helpers/fake-clock.ts'
import type { ApplyResult, RouteIntent, RoutingBackend } from '../backends/routing-backend.ts'
import { failed, passed } from '../checks/probe.ts'
import { type AnycastConfig, parseAnycastConfig } from '../config/anycast-config.ts'
import type { IpPrefix } from '../ip-prefix.ts'
import type { InterfaceAddresses } from '../loopback/interface-addresses.ts'
import { createAnycastMetrics } from '../metrics/anycast-metrics.ts'
import { AnycastDaemon } from './anycast-daemon.ts'

/**
 * The daemon's decisions with a fake clock. The routing daemon and iproute2 are replaced by
 * recorders (the real ones are exercised in bird-backend.test.ts, interface-addresses.test.ts
 * and the namespace integration test); here the point is the order of events and the failure
 * paths a real BIRD cannot be made to produce on cue.
 */
class Recorder {
  readonly events: string[] = []
}

class FakeBackend implements RoutingBackend {
  readonly kind = 'bird'
  readonly applies: RouteIntent[][] = []
  readonly times: number[] = []
  /** When set, applies fail (BIRD rejecting the config): nothing changes in the routing daemon. */
  failing = false
  private announced = new Set<string>()
  private maybe: Set<string> | undefined

  constructor(
    private readonly recorder: Recorder,
    private readonly clock: FakeClock,
    readonly minGap = 0,
  ) {}

  async apply(intents: readonly RouteIntent[]): Promise<ApplyResult> {
    this.applies.push(intents.map((intent) => ({ ...intent })))
    this.times.push(this.clock.now())
    const wanted = intents.filter((i) => i.announce).flatMap((i) => i.prefixes.map((p) => p.text))
    if (this.failing) {
      this.recorder.events.push('apply failed')
      const maybe = this.maybe ?? new Set(intents.flatMap((i) => i.prefixes.map((p) => p.text)))
      return {
        ok: false,
        announced: new Set(this.announced),
        mayBeAnnounced: new Set(maybe),
        message: 'rejected',
        changed: true,
      }
    }
    this.recorder.events.push(`apply announce=[${wanted.join(' ')}]`)
    this.announced = new Set(wanted)
    this.maybe = new Set(wanted)
    return {
      ok: true,
      announced: new Set(wanted),
      mayBeAnnounced: new Set(wanted),
      message: 'Reconfigured',
      changed: true,
    }
  }

  async close(): Promise<void> {}
}

class FakeAddresses implements InterfaceAddresses {
  readonly present = new Map<string, Set<string>>()

  constructor(private readonly recorder: Recorder) {}

  private on(device: string): Set<string> {
    let set = this.present.get(device)
    if (!set) {
      set = new Set()
      this.present.set(device, set)
    }
    return set
  }

  async list(device: string): Promise<Set<string>> {
    return new Set(this.on(device))
  }

  async add(device: string, prefix: IpPrefix): Promise<'added' | 'present'> {
    if (this.on(device).has(prefix.text)) return 'present'
    this.on(device).add(prefix.text)
    this.recorder.events.push(`add ${prefix.text}`)
    return 'added'
  }

  async remove(device: string, prefix: IpPrefix): Promise<'removed' | 'absent'> {
    if (!this.on(device).delete(prefix.text)) return 'absent'
    this.recorder.events.push(`remove ${prefix.text}`)
    return 'removed'
  }
}

let directory: string
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'preflight-daemon-'))
})
after(async () => {
  await rm(directory, { recursive: true, force: true })
})

function configWith(serviceLines: string, extra = ''): AnycastConfig {
  const text = `
[daemon]
drain-file = ${directory}/drain-${Math.random().toString(36).slice(2)}
splay-seed = 7
retry-min = 1s
retry-max = 8s
${extra}
${serviceLines}
`
  const { config, errors } = parseAnycastConfig(text, 'test.conf')
  assert.deepEqual(errors, [])
  assert.ok(config)
  return config
}

const dnsService = (address = 'static') => `
[service dns]
prefix = 192.0.2.1/32
address = ${address}
interval = 1s
fast-interval = 200ms
rise = 2
fall = 2
[check dns probe]
type = command
command = true
`

function harness(config: AnycastConfig, minGap = 0) {
  const recorder = new Recorder()
  const clock = new FakeClock(0)
  const backend = new FakeBackend(recorder, clock, minGap)
  const addresses = new FakeAddresses(recorder)
  const healthy = new Map<string, boolean>(config.services.map((s) => [s.name, true]))
  const daemon = new AnycastDaemon({
    config,
    backend,
    addresses,
    clock,
    logger: pino({ level: 'silent' }),
    metrics: createAnycastMetrics(),
    probeFor: (check) => async () => (healthy.get(check.service) ? passed('ok') : failed('down')),
  })
  return { recorder, clock, backend, addresses, healthy, daemon }
}

const state = (daemon: AnycastDaemon, name = 'dns') => daemon.status().services.find((s) => s.name === name)

describe('anycast daemon', () => {
  test('starts withdrawn; address first, then announce; static addresses stay while down', async () => {
    const { daemon, clock, recorder, healthy } = harness(configWith(dnsService()))
    await daemon.start()
    await clock.advance(0)
    assert.deepEqual(recorder.events, ['add 192.0.2.1/32', 'apply announce=[]'])
    assert.equal(state(daemon)?.state, 'starting')
    await clock.advance(2000)
    assert.equal(state(daemon)?.state, 'up')
    assert.deepEqual(recorder.events.slice(2), ['apply announce=[192.0.2.1/32]'])
    assert.deepEqual(state(daemon)?.prefixes, [
      { prefix: '192.0.2.1/32', route: 'announced', address: 'present' },
    ])

    healthy.set('dns', false)
    await clock.advance(3000)
    assert.equal(state(daemon)?.state, 'down')
    assert.deepEqual(recorder.events.slice(3), ['apply announce=[]'])
    assert.equal(state(daemon)?.prefixes[0]?.route, 'withdrawn')
    assert.equal(state(daemon)?.prefixes[0]?.address, 'present')
    await daemon.stop()
  })

  test('dynamic addresses go only after the withdraw is confirmed, and come back before the announce', async () => {
    const { daemon, clock, recorder, healthy, backend } = harness(configWith(dnsService('dynamic')))
    await daemon.start()
    await clock.advance(2000)
    recorder.events.length = 0
    healthy.set('dns', false)
    backend.failing = true
    const failingFrom = backend.times.length
    await clock.advance(30_000)
    assert.equal(state(daemon)?.state, 'down')
    // The routing daemon refused the withdraw: the address stays, retries back off 1s, 2s, 4s, 8s, 8s…
    assert.deepEqual(new Set(recorder.events), new Set(['apply failed']))
    assert.equal(state(daemon)?.prefixes[0]?.route, 'pending')
    const times = backend.times.slice(failingFrom)
    assert.deepEqual(
      times.slice(1, 6).map((at, i) => at - (times[i] ?? 0)),
      [1000, 2000, 4000, 8000, 8000],
    )

    backend.failing = false
    await clock.advance(8000)
    const removeAt = recorder.events.indexOf('remove 192.0.2.1/32')
    const withdrawAt = recorder.events.indexOf('apply announce=[]')
    assert.ok(withdrawAt >= 0 && removeAt > withdrawAt, recorder.events.join(' | '))
    assert.equal(state(daemon)?.prefixes[0]?.address, 'absent')

    recorder.events.length = 0
    healthy.set('dns', true)
    await clock.advance(3000)
    assert.deepEqual(recorder.events, ['add 192.0.2.1/32', 'apply announce=[192.0.2.1/32]'])
    await daemon.stop()
  })

  test('changes within the minimum gap, or during a reload, share one reload', async () => {
    const config = configWith(
      `${dnsService()}
[service web]
prefix = 198.51.100.80/32
interval = 1s
fast-interval = 200ms
rise = 2
[check web probe]
type = command
command = true
`,
    )
    const { daemon, clock, backend } = harness(config, 500)
    await daemon.start()
    await clock.advance(5000)
    const announced = backend.applies.filter((intents) => intents.every((i) => i.announce))
    // Both services came up within 500ms of each other: one reload announced both.
    assert.equal(announced.length, 1)
    const [dnsIntent, webIntent] = announced[0] ?? []
    assert.equal(dnsIntent?.announce && webIntent?.announce, true)
    assert.ok(backend.applies.length <= 3, `reloads: ${backend.applies.length}`)
    await daemon.stop()
  })

  test('a flapping service is held after the third flap until its penalty decays', async () => {
    const { daemon, clock, healthy } = harness(configWith(dnsService()))
    await daemon.start()
    await clock.advance(2000)
    for (let flap = 1; flap <= 3; flap++) {
      healthy.set('dns', false)
      await clock.advance(1500)
      assert.equal(state(daemon)?.state, 'down', `flap ${flap}`)
      healthy.set('dns', true)
      await clock.advance(1500)
    }
    const held = state(daemon)
    assert.equal(held?.state, 'held')
    assert.equal(held?.flaps, 3)
    assert.equal(held?.prefixes[0]?.route, 'withdrawn')
    assert.ok((held?.holdDownMs ?? 0) > 30_000)
    await clock.advance(held?.holdDownMs ?? 0)
    assert.equal(state(daemon)?.state, 'up')
    assert.equal(state(daemon)?.prefixes[0]?.route, 'announced')
    await daemon.stop()
  })

  test('drain and undrain through the control request, persisted as a file', async () => {
    const config = configWith(dnsService())
    const { daemon, clock } = harness(config)
    await daemon.start()
    await clock.advance(2000)
    const draining = daemon.handle({ command: 'drain', services: [], waitMs: 5000 })
    const drained = await draining
    assert.equal(drained.ok, true, JSON.stringify(drained))
    assert.match(drained.ok ? (drained.message ?? '') : '', /withdrawn: confirmed/)
    assert.equal(state(daemon)?.state, 'drained')
    assert.equal(state(daemon)?.drainedBy, `file ${config.daemon.drainFile}`)
    assert.equal(state(daemon)?.prefixes[0]?.route, 'withdrawn')
    await stat(config.daemon.drainFile)

    const undrained = await daemon.handle({ command: 'undrain', services: [], waitMs: 5000 })
    assert.equal(undrained.ok, true, JSON.stringify(undrained))
    assert.equal(state(daemon)?.state, 'up')
    assert.equal(state(daemon)?.prefixes[0]?.route, 'announced')
    await assert.rejects(stat(config.daemon.drainFile))

    const unknown = await daemon.handle({ command: 'drain', services: ['nope'], waitMs: 0 })
    assert.deepEqual(unknown.ok ? undefined : unknown.error, 'unknown service: nope')
    await daemon.stop()
  })

  test('a drain file written by hand drains at the next poll', async () => {
    const config = configWith(dnsService())
    const { daemon, clock } = harness(config)
    await daemon.start()
    await clock.advance(2000)
    const serviceFile = config.services[0]?.drainFile ?? ''
    await writeFile(serviceFile, '')
    await daemon.refreshDrains()
    await clock.advance(0)
    assert.equal(state(daemon)?.drainedBy, `file ${serviceFile}`)
    assert.equal(state(daemon)?.prefixes[0]?.route, 'withdrawn')
    await rm(serviceFile)
    await daemon.refreshDrains()
    await clock.advance(0)
    assert.equal(state(daemon)?.prefixes[0]?.route, 'announced')
    await daemon.stop()
  })

  test('shutdown withdraws, then removes only the addresses this run added', async () => {
    const config = configWith(
      `${dnsService()}
[service web]
prefix = 198.51.100.80/32
[check web probe]
type = command
command = true
`,
    )
    const { daemon, clock, recorder, addresses } = harness(config)
    await addresses.add('lo', { family: 4, address: '198.51.100.80', length: 32, text: '198.51.100.80/32' })
    await daemon.start()
    await clock.advance(8000)
    recorder.events.length = 0
    const stopping = daemon.stop()
    await clock.advance(0)
    assert.equal(await stopping, true)
    assert.deepEqual(recorder.events, ['apply announce=[]', 'remove 192.0.2.1/32'])
    assert.deepEqual([...(addresses.present.get('lo') ?? [])], ['198.51.100.80/32'])
  })

  test('shutdown gives up after shutdown-timeout when the withdraw cannot be confirmed, keeping addresses', async () => {
    const { daemon, clock, backend, addresses } = harness(configWith(dnsService(), 'shutdown-timeout = 3s'))
    await daemon.start()
    await clock.advance(2000)
    backend.failing = true
    const stopping = daemon.stop()
    await clock.advance(3000)
    assert.equal(await stopping, false)
    assert.deepEqual([...(addresses.present.get('lo') ?? [])], ['192.0.2.1/32'])
  })

  test('the start-up splay follows splay-seed', async () => {
    const first = harness(configWith(dnsService()))
    const second = harness(configWith(dnsService()))
    await first.daemon.start()
    await second.daemon.start()
    const next = (h: typeof first) => h.daemon.status().services[0]?.checks[0]?.nextAt
    assert.equal(next(first), next(second))
    assert.ok((next(first) ?? -1) >= 0 && (next(first) ?? 1000) < 1000)
    await first.daemon.stop()
    await second.daemon.stop()
  })

  test('a reload keeps unchanged services, restarts changed ones and withdraws removed ones', async () => {
    const config = configWith(
      `${dnsService()}
[service web]
prefix = 198.51.100.80/32
address = dynamic
rise = 1
[check web probe]
type = command
command = true
`,
    )
    const { daemon, clock, recorder } = harness(config)
    await daemon.start()
    await clock.advance(5000)
    assert.equal(state(daemon, 'web')?.state, 'up')
    recorder.events.length = 0
    const onlyDns = parseAnycastConfig(
      `[daemon]\ndrain-file = ${config.daemon.drainFile}\nsplay-seed = 7\n${dnsService()}`,
      'test.conf',
    ).config
    assert.ok(onlyDns)
    daemon.reload(onlyDns)
    await clock.advance(0)
    assert.deepEqual(recorder.events, ['apply announce=[192.0.2.1/32]', 'remove 198.51.100.80/32'])
    assert.equal(state(daemon)?.state, 'up', 'unchanged service keeps its state')
    assert.equal(state(daemon, 'web'), undefined)
    await daemon.stop()
  })
})
