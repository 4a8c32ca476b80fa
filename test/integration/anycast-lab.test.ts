/**
 * The anycast lab (tools/anycast-lab) as an integration test: a client, a BGP router and three
 * DNS sites in network namespaces this test creates, BIRD 2 and NSD on each site and
 * `preflight anycast run` as the checker in front of each BIRD. A probe in the client namespace
 * asks the anycast address every 20 ms which site answers. Asserted: the nearest site answers;
 * a planned drain moves the client with no lost query; a dead DNS server and a hung node move
 * it to the next site; a recovered site comes back only after its hold-down. All traffic stays
 * inside the test's namespaces.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type AnycastLab, labUnavailable, type Probe, startAnycastLab } from './anycast-lab/anycast-lab.ts'
import { checkerTiming, sitePlans } from './anycast-lab/lab-configs.ts'
import { isLost, samplesBetween, waitForAnswers, waitForSwitch } from './anycast-lab/probe-analysis.ts'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('anycast lab: three sites with preflight anycast as the checker', { skip: labUnavailable() }, () => {
  let lab: AnycastLab
  let probe: Probe

  before(async () => {
    lab = await startAnycastLab({ checker: 'preflight' })
    // The probe's 100 ms time-out of the lab, widened: with other suites on the same two cores a
    // slow answer is not a lost one. A query that is really dropped never gets an answer.
    probe = lab.startProbe(500)
    assert.ok(await waitForAnswers(probe.samples, 'eu', 10, 20_000), 'the probe reaches the nearest site')
  })
  after(async () => {
    await lab?.stop()
  })

  test('the client is answered by the nearest site; each maintenance IP reaches its own site', async () => {
    assert.ok(await waitForAnswers(probe.samples, 'eu', 25, 10_000), 'half a second of answers from eu')
    const answers = probe.samples.filter((sample) => !isLost(sample))
    assert.deepEqual([...new Set(answers.map((sample) => sample.answer))], ['eu'])
    for (const site of sitePlans)
      assert.ok(
        await lab.waitForSite(site.name, 5000, site.maintenance),
        `${site.maintenance} reaches ${site.name}`,
      )
  })

  test('a planned drain moves the client to the next site with zero lost queries', async () => {
    const started = Date.now()
    await lab.drain('eu')
    const moved = await waitForSwitch(probe.samples, started, 'eu', 10_000)
    assert.equal(moved?.to, 'apac')
    assert.equal(moved?.lost, 0)
    // The drained node is still reachable on its maintenance IP, and nothing is lost after the move.
    assert.ok(
      await lab.waitForSite('eu', 5000, sitePlans[0]?.maintenance),
      'the maintenance IP still reaches eu',
    )
    await pause(500)
    assert.deepEqual(samplesBetween(probe.samples, started, Date.now()).filter(isLost), [])

    const undrained = Date.now()
    await lab.undrain('eu')
    const back = await waitForSwitch(probe.samples, undrained, 'apac', 15_000)
    assert.equal(back?.to, 'eu')
    assert.equal(back?.lost, 0)
  })

  test('a dead DNS server moves the client to the next site; it comes back only after the hold-down', async () => {
    const killed = Date.now()
    await lab.killNsd('eu')
    const moved = await waitForSwitch(probe.samples, killed, 'eu', 20_000)
    assert.equal(moved?.to, 'apac')
    // The site is withdrawn, not merely unanswered: apac keeps answering.
    await pause(300)
    assert.deepEqual(
      [...new Set(samplesBetween(probe.samples, (moved?.at ?? 0) + 1, Date.now()).map((s) => s.answer))],
      ['apac'],
    )

    const restarted = Date.now()
    await lab.startNsd('eu')
    const back = await waitForSwitch(probe.samples, restarted, 'apac', 30_000)
    assert.equal(back?.to, 'eu')

    const events = (await lab.daemonEvents('eu')).filter((e) => e.time >= killed)
    // One flap with these dampening settings suppresses the service (logged as `suppressed`).
    const suppressed = events.find((e) => e.event === 'suppressed')
    const reuse = events.find((e) => e.event === 'reuse')
    const healthy = events.find(
      (e) => e.event === 'service-state' && (e.state === 'held' || e.state === 'up'),
    )
    assert.ok(suppressed && reuse && healthy, 'the failure suppressed the service, which was released later')
    const backAt = back?.at ?? 0
    assert.ok(
      backAt >= suppressed.time + checkerTiming.holdDownMs,
      `back ${backAt - suppressed.time} ms after the flap; the hold-down is ${checkerTiming.holdDownMs} ms`,
    )
    assert.ok(backAt >= reuse.time)
    // Healthy before the hold-down ended: it was held, not announced.
    if (healthy.time < reuse.time) assert.equal(healthy.state, 'held')
  })

  test('a hung node (every process stopped) loses its routes with the hold timer; it returns when thawed', async () => {
    // Let the flap penalty of the previous test decay, so the thaw is not held down.
    await pause(2000)
    const frozenAt = Date.now()
    const frozen = await lab.freeze('eu')
    let moved: Awaited<ReturnType<typeof waitForSwitch>>
    try {
      moved = await waitForSwitch(probe.samples, frozenAt, 'eu', (lab.timing.holdSeconds + 20) * 1000)
    } finally {
      lab.thaw(frozen)
    }
    assert.equal(moved?.to, 'apac')
    const thawed = Date.now()
    const back = await waitForSwitch(probe.samples, thawed, 'apac', 60_000)
    assert.equal(back?.to, 'eu')
  })
})
