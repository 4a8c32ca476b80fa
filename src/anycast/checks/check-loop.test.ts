import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { FakeClock } from '../../../test/helpers/fake-clock.ts'
import { sleep } from '../clock.ts'
import type { CheckTiming } from '../config/anycast-config.ts'
import { seededRandom } from '../seeded-random.ts'
import { CheckLoop, type CheckSample } from './check-loop.ts'
import { failed, type Probe, type ProbeResult, passed } from './probe.ts'

const timing: CheckTiming = { interval: 1000, fastInterval: 200, timeout: 500, tries: 1, rise: 2, fall: 2 }

interface Run {
  clock: FakeClock
  loop: CheckLoop
  samples: (CheckSample & { state: string })[]
  starts: number[]
}

/** A loop whose probe results come from `script` (one per call; the last repeats), each taking `takes` ms. */
function run(options: {
  script: (ProbeResult | 'hang' | 'hang-ignoring-abort')[]
  takes?: number[]
  timing?: Partial<CheckTiming>
  splay?: number
}): Run {
  const clock = new FakeClock(0)
  const samples: Run['samples'] = []
  const starts: number[] = []
  let call = 0
  const probe: Probe = async (signal) => {
    const index = Math.min(call, options.script.length - 1)
    call++
    starts.push(clock.now())
    const step = options.script[index]
    if (step === 'hang-ignoring-abort') return new Promise<ProbeResult>(() => {})
    if (step === 'hang') {
      return new Promise<ProbeResult>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      )
    }
    const takes = options.takes ?? [10]
    await sleep(clock, takes[Math.min(call - 1, takes.length - 1)] ?? 10)
    return step ?? failed('no script')
  }
  const loop = new CheckLoop({
    clock,
    timing: { ...timing, ...options.timing },
    probe,
    splay: options.splay ?? 0,
    onSample: (sample, state) => samples.push({ ...sample, state: state.state }),
  })
  loop.start()
  return { clock, loop, samples, starts }
}

describe('check loop', () => {
  test('rounds sit on a fixed grid whatever the probes take (no drift), fast while rising', async () => {
    const { clock, starts, samples, loop } = run({
      script: [passed('ok')],
      takes: [120, 310, 5, 290, 60],
      splay: 370,
    })
    await clock.advance(5000)
    loop.stop()
    // splay, then one fast step while rising (unknown -> up after 2), then the 1s grid from that round.
    assert.deepEqual(starts, [370, 570, 1570, 2570, 3570, 4570])
    assert.deepEqual(
      samples.map((s) => s.state),
      ['unknown', 'up', 'up', 'up', 'up', 'up'],
    )
    assert.equal(samples[1]?.durationMs, 310)
  })

  test('a failure while up switches to the fast interval until fall is reached, then back', async () => {
    const { clock, samples, loop } = run({
      script: [passed('a'), passed('b'), failed('c'), failed('d'), failed('e'), failed('f')],
    })
    await clock.advance(4000)
    loop.stop()
    assert.deepEqual(
      samples.map((s) => [s.at, s.state]),
      [
        [0, 'unknown'],
        [200, 'up'],
        [1200, 'up'], // first failure: counting towards fall -> fast
        [1400, 'down'], // fall reached, stable again -> normal interval
        [2400, 'down'],
        [3400, 'down'],
      ],
    )
  })

  test('a probe that hangs counts as a failure at its time-out', async () => {
    const { clock, samples, starts, loop } = run({ script: ['hang'], timing: { fall: 1 } })
    await clock.advance(1000)
    loop.stop()
    assert.deepEqual(
      samples.map((s) => [s.at, s.ok, s.timeouts, s.durationMs]),
      [[0, false, 1, 500]],
    )
    assert.match(samples[0]?.detail ?? '', /no result within 500ms/)
    assert.equal(samples[0]?.state, 'down')
    // The aborted probe wound down, so the next round (down is stable: normal interval) starts a new one.
    assert.deepEqual(starts, [0, 1000])
  })

  test('a probe that ignores its abort never gets a second one started beside it', async () => {
    const { clock, samples, starts, loop } = run({ script: ['hang-ignoring-abort'], timing: { fall: 3 } })
    await clock.advance(3000)
    loop.stop()
    assert.deepEqual(starts, [0])
    assert.ok(samples.length >= 3)
    assert.ok(samples.slice(1).every((s) => !s.ok && s.attempts === 0 && /still running/.test(s.detail)))
  })

  test('a round that overruns the interval skips the grid points it covered', async () => {
    const { clock, starts, loop } = run({
      script: [passed('slow')],
      takes: [2500],
      timing: { timeout: 3000, rise: 1, fastInterval: 1000 },
    })
    await clock.advance(9000)
    loop.stop()
    // Round at 0 ends at 2500: 1000 and 2000 are skipped, the next is 3000, then 6000, 9000.
    assert.deepEqual(starts, [0, 3000, 6000, 9000])
  })

  test('tries: a round passes when a later attempt passes', async () => {
    const { clock, samples, loop } = run({
      script: [failed('1'), 'hang', passed('3')],
      timing: { tries: 3, rise: 1 },
    })
    await clock.advance(900)
    loop.stop()
    assert.deepEqual(
      samples.map((s) => [s.ok, s.attempts, s.timeouts, s.durationMs, s.state]),
      [[true, 3, 1, 10 + 500 + 10, 'up']],
    )
  })

  test('the start-up splay is reproducible from a seed and stays below the interval', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const draws = Array.from({ length: 1000 }, () => a())
    assert.deepEqual(
      draws.slice(0, 5),
      Array.from({ length: 5 }, () => b()),
    )
    assert.ok(draws.every((value) => value >= 0 && value < 1))
    assert.notDeepEqual(draws.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)))
  })
})
