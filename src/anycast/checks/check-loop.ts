/**
 * @module
 * Runs one check on a fixed grid: round k starts at `first + k·interval` (never "now + interval",
 * so the schedule does not drift by the time each check takes). The first round is offset by a
 * start-up splay so checks of many services do not fire together. While the check's state is
 * changing (rise/fall counting) the grid step is the fast interval, re-anchored at the current
 * round. At most one probe is in flight: a round that overruns skips the grid points it covered,
 * and a probe that ignores its abort makes the next rounds fail without starting another.
 */
import { type Clock, sleep, type Timer } from '../clock.ts'
import type { CheckTiming } from '../config/anycast-config.ts'
import { formatDuration } from '../duration.ts'
import { applyResult, initialRiseFall, isChanging, type RiseFallState } from '../policy/rise-fall.ts'
import type { Probe, ProbeResult } from './probe.ts'

export interface CheckSample {
  readonly ok: boolean
  readonly detail: string
  /** When the round started (ms since the epoch). */
  readonly at: number
  /** Wall time of the whole round, all tries included. */
  readonly durationMs: number
  /** Attempts made in this round. */
  readonly attempts: number
  /** Attempts of this round that hit the time-out. */
  readonly timeouts: number
}

export interface CheckLoopOptions {
  readonly clock: Clock
  readonly timing: CheckTiming
  readonly probe: Probe
  /** Delay of the first round (start-up splay), in [0, interval). */
  readonly splay: number
  /** Called after each round with the sample and the state it led to. */
  readonly onSample: (sample: CheckSample, state: RiseFallState, previous: RiseFallState) => void
}

interface AttemptResult extends ProbeResult {
  readonly timedOut: boolean
}

/** How long a round waits for an aborted probe to wind down before giving up on further tries. */
const abortGrace = 100

export class CheckLoop {
  private riseFall: RiseFallState = initialRiseFall
  private lastSample: CheckSample | undefined
  private slot = 0
  private timer: Timer | undefined
  private running = false
  private probeInFlight = false
  private probeSettled: Promise<void> = Promise.resolve()
  private currentAttempt: AbortController | undefined

  constructor(private readonly options: CheckLoopOptions) {}

  get state(): RiseFallState {
    return this.riseFall
  }

  get last(): CheckSample | undefined {
    return this.lastSample
  }

  /** Time of the next round (ms since the epoch). */
  get nextAt(): number {
    return this.slot
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.slot = this.options.clock.now() + this.options.splay
    this.arm()
  }

  stop(): void {
    this.running = false
    this.timer?.cancel()
    this.currentAttempt?.abort(new Error('check stopped'))
  }

  private arm(): void {
    const delay = this.slot - this.options.clock.now()
    this.timer = this.options.clock.setTimer(delay, () => {
      void this.round()
    })
  }

  private async round(): Promise<void> {
    const { clock, timing } = this.options
    const slot = this.slot
    const started = clock.now()
    let result: AttemptResult = { ok: false, timedOut: false, detail: 'not run' }
    let attempts = 0
    let timeouts = 0
    if (this.probeInFlight) {
      result = {
        ok: false,
        timedOut: false,
        detail: 'the previous probe is still running (it ignored its time-out)',
      }
    } else {
      while (attempts < timing.tries && this.running) {
        attempts++
        result = await this.attempt()
        if (result.timedOut) timeouts++
        if (this.probeInFlight) await Promise.race([this.probeSettled, sleep(clock, abortGrace)])
        if (result.ok || this.probeInFlight) break
      }
    }
    if (!this.running) return
    const sample: CheckSample = {
      ok: result.ok,
      detail: result.detail,
      at: started,
      durationMs: clock.now() - started,
      attempts,
      timeouts,
    }
    const previous = this.riseFall
    this.riseFall = applyResult(previous, sample.ok, timing.rise, timing.fall)
    this.lastSample = sample
    this.options.onSample(sample, this.riseFall, previous)
    if (!this.running) return
    const step = isChanging(this.riseFall) ? timing.fastInterval : timing.interval
    let next = slot + step
    const now = clock.now()
    if (next <= now) next += (Math.floor((now - next) / step) + 1) * step
    this.slot = next
    this.arm()
  }

  private attempt(): Promise<AttemptResult> {
    const { clock, timing, probe } = this.options
    return new Promise((resolve) => {
      const controller = new AbortController()
      this.currentAttempt = controller
      let settled = false
      const settle = (result: AttemptResult) => {
        if (settled) return
        settled = true
        timer.cancel()
        resolve(result)
      }
      const timer = clock.setTimer(
        timing.timeout,
        () => {
          controller.abort(new Error('check timed out'))
          settle({ ok: false, timedOut: true, detail: `no result within ${formatDuration(timing.timeout)}` })
        },
        { keepAlive: false },
      )
      this.probeInFlight = true
      let pending: Promise<ProbeResult>
      try {
        pending = probe(controller.signal)
      } catch (error) {
        pending = Promise.reject(error)
      }
      this.probeSettled = pending.then(
        (result) => {
          this.probeInFlight = false
          settle({ ...result, timedOut: false })
        },
        (error: unknown) => {
          this.probeInFlight = false
          settle({
            ok: false,
            timedOut: controller.signal.aborted,
            detail: `probe failed: ${(error as Error).message}`,
          })
        },
      )
    })
  }
}
