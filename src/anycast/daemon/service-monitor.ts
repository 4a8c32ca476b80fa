/**
 * @module
 * One service: its check loops, its health under the require policy, its flap dampening and its
 * drain flag, folded into one state:
 *
 *   drained   a drain file exists or `drain` was asked (wins over everything)
 *   down      the checks say failing
 *   starting  the checks have not decided yet
 *   held      healthy, but suppressed by flap dampening until the penalty decays
 *   up        healthy: announce
 *
 * Only `up` is announced. A flap is a healthy → failing change of health; it adds penalty whether
 * or not the service was announced at the time (a service that flaps while held stays held).
 */
import type { Logger } from 'pino'
import { CheckLoop, type CheckSample } from '../checks/check-loop.ts'
import type { Probe } from '../checks/probe.ts'
import type { Clock, Timer } from '../clock.ts'
import type { CheckConfig, DampeningSettings, ServiceConfig } from '../config/anycast-config.ts'
import type { CheckStatus, ServiceState } from '../control/control-protocol.ts'
import { formatDuration } from '../duration.ts'
import type { AnycastMetrics } from '../metrics/anycast-metrics.ts'
import {
  type DampeningState,
  decayedPenalty,
  initialDampening,
  recordFlap,
  settle,
  suppressedFor,
} from '../policy/dampening.ts'
import type { RiseFallState } from '../policy/rise-fall.ts'
import { type ServiceHealth, serviceHealth } from '../policy/service-health.ts'

const serviceStates: readonly ServiceState[] = ['starting', 'up', 'down', 'held', 'drained']

export interface ServiceMonitorOptions {
  readonly config: ServiceConfig
  readonly dampening: DampeningSettings
  readonly clock: Clock
  readonly random: () => number
  readonly logger: Logger
  readonly metrics: AnycastMetrics
  readonly probeFor: (check: CheckConfig) => Probe
  /** Called whenever the state (and so what to announce) may have changed. */
  readonly onChange: () => void
}

export class ServiceMonitor {
  readonly config: ServiceConfig
  private readonly loops: { readonly check: CheckConfig; readonly loop: CheckLoop }[]
  private currentHealth: ServiceHealth = 'unknown'
  private damping: DampeningState = initialDampening
  private drained: string | undefined
  private currentState: ServiceState = 'starting'
  private stateSince: number
  private reuseTimer: Timer | undefined
  private readonly log: Logger

  constructor(private readonly options: ServiceMonitorOptions) {
    this.config = options.config
    this.stateSince = options.clock.now()
    this.log = options.logger.child({ service: options.config.name })
    this.loops = options.config.checks.map((check) => ({
      check,
      loop: new CheckLoop({
        clock: options.clock,
        timing: check.timing,
        probe: options.probeFor(check),
        splay: Math.floor(options.random() * check.timing.interval),
        onSample: (sample, state, previous) => this.onSample(check, sample, state, previous),
      }),
    }))
    this.publish()
  }

  get name(): string {
    return this.config.name
  }

  get state(): ServiceState {
    return this.currentState
  }

  get since(): number {
    return this.stateSince
  }

  get health(): ServiceHealth {
    return this.currentHealth
  }

  get drainedBy(): string | undefined {
    return this.drained
  }

  start(): void {
    for (const { loop } of this.loops) loop.start()
  }

  stop(): void {
    for (const { loop } of this.loops) loop.stop()
    this.reuseTimer?.cancel()
  }

  setDrained(by: string | undefined): void {
    if (by === this.drained) return
    this.drained = by
    this.log.info({ event: by ? 'drain' : 'undrain', drainedBy: by }, by ? `drained (${by})` : 'undrained')
    this.evaluate()
  }

  penalty(): number {
    return decayedPenalty(this.damping, this.options.dampening, this.options.clock.now())
  }

  holdDownMs(): number {
    return suppressedFor(this.damping, this.options.dampening, this.options.clock.now())
  }

  flaps(): number {
    return this.damping.flaps
  }

  checkStatuses(): CheckStatus[] {
    return this.loops.map(({ check, loop }) => ({
      name: check.name,
      type: check.probe.type,
      state: loop.state.state,
      successes: loop.state.successes,
      failures: loop.state.failures,
      ...(loop.last
        ? {
            last: {
              ok: loop.last.ok,
              detail: loop.last.detail,
              at: loop.last.at,
              durationMs: loop.last.durationMs,
            },
          }
        : {}),
      nextAt: loop.nextAt,
    }))
  }

  private onSample(
    check: CheckConfig,
    sample: CheckSample,
    state: RiseFallState,
    previous: RiseFallState,
  ): void {
    const { metrics } = this.options
    const labels = { service: this.name, check: check.name }
    metrics.checkDuration.observe(labels, sample.durationMs / 1000)
    metrics.checkResults.inc({ ...labels, result: sample.ok ? 'ok' : 'fail' })
    if (sample.timeouts > 0) metrics.checkTimeouts.inc(labels, sample.timeouts)
    metrics.checkUp.set(labels, state.state === 'up' ? 1 : 0)
    const fields = {
      event: 'check',
      check: check.name,
      ok: sample.ok,
      detail: sample.detail,
      durationMs: sample.durationMs,
    }
    if (state.state !== previous.state) {
      const message = `check ${check.name} ${previous.state} -> ${state.state}: ${sample.detail}`
      if (state.state === 'down')
        this.log.warn({ ...fields, event: 'check-state', state: state.state }, message)
      else this.log.info({ ...fields, event: 'check-state', state: state.state }, message)
      this.evaluate()
    } else if (!sample.ok && state.state === 'up') {
      this.log.info(
        fields,
        `check ${check.name} failed (${state.failures}/${check.timing.fall}): ${sample.detail}`,
      )
    } else {
      this.log.debug(fields, `check ${check.name}: ${sample.detail}`)
    }
  }

  /** Recomputes health, dampening and state; announces a change through `onChange`. */
  evaluate(): void {
    const { clock, dampening } = this.options
    const now = clock.now()
    const health = serviceHealth(
      this.config.require,
      this.loops.map(({ loop }) => loop.state.state),
    )
    if (this.currentHealth === 'healthy' && health === 'failing') {
      const wasSuppressed = this.damping.suppressed
      this.damping = recordFlap(this.damping, dampening, now)
      const fields = { event: 'flap', penalty: Math.round(this.damping.penalty), flaps: this.damping.flaps }
      if (this.damping.suppressed && !wasSuppressed) {
        this.log.warn(
          { ...fields, event: 'suppressed', holdDownMs: this.holdDownMs() },
          `flapping: suppressed for ${formatDuration(this.holdDownMs())} (penalty ${fields.penalty})`,
        )
      } else {
        this.log.info(fields, `flap ${fields.flaps}, penalty ${fields.penalty}`)
      }
    }
    this.currentHealth = health
    const settled = settle(this.damping, dampening, now)
    if (this.damping.suppressed && !settled.suppressed) {
      this.log.info(
        { event: 'reuse', penalty: Math.round(settled.penalty) },
        'penalty decayed: no longer suppressed',
      )
    }
    this.damping = settled
    this.reuseTimer?.cancel()
    this.reuseTimer = undefined
    if (this.damping.suppressed) {
      this.reuseTimer = clock.setTimer(this.holdDownMs(), () => this.evaluate())
    }
    const state: ServiceState = this.drained
      ? 'drained'
      : health === 'failing'
        ? 'down'
        : health === 'unknown'
          ? 'starting'
          : this.damping.suppressed
            ? 'held'
            : 'up'
    if (state !== this.currentState) {
      const previous = this.currentState
      this.currentState = state
      this.stateSince = now
      this.options.metrics.transitions.inc({ service: this.name, from: previous, to: state })
      const fields = { event: 'service-state', state, previous, health }
      const message = `service ${previous} -> ${state}`
      if (state === 'down' || state === 'held') this.log.warn(fields, message)
      else this.log.info(fields, message)
    }
    this.publish()
    this.options.onChange()
  }

  private publish(): void {
    const { metrics } = this.options
    const labels = { service: this.name }
    metrics.serviceUp.set(labels, this.currentHealth === 'healthy' ? 1 : 0)
    for (const state of serviceStates)
      metrics.serviceState.set({ ...labels, state }, state === this.currentState ? 1 : 0)
    metrics.serviceDrained.set(labels, this.drained ? 1 : 0)
    metrics.servicePenalty.set(labels, Math.round(this.penalty()))
    metrics.serviceHoldDown.set(labels, this.holdDownMs() / 1000)
  }

  /** Drops this service's series (it left the config). */
  unpublish(): void {
    const { metrics } = this.options
    const labels = { service: this.name }
    for (const gauge of [
      metrics.serviceUp,
      metrics.serviceDrained,
      metrics.servicePenalty,
      metrics.serviceHoldDown,
    ]) {
      gauge.remove(labels)
    }
    for (const state of serviceStates) metrics.serviceState.remove({ ...labels, state })
    for (const { check } of this.loops) metrics.checkUp.remove({ ...labels, check: check.name })
  }
}
