/**
 * @module
 * Makes the node match what the services want, in the only safe order:
 *
 *   1. add the addresses of services to announce (idempotent); a service whose address cannot be
 *      added is not announced;
 *   2. apply the route intents through the backend (one reload for everything that changed);
 *   3. remove addresses only for prefixes the backend no longer reports as possibly announced.
 *
 * Passes run one at a time. A change while a pass runs, or several within the backend's minimum
 * gap, leads to one more pass (coalescing). A failed pass is retried with exponential back-off;
 * a new change does not wait for the back-off.
 */
import type { Logger } from 'pino'
import type { ApplyResult, RouteIntent, RoutingBackend } from '../backends/routing-backend.ts'
import type { Clock, Timer } from '../clock.ts'
import type { AddressState, RouteState } from '../control/control-protocol.ts'
import type { IpPrefix } from '../ip-prefix.ts'
import type { InterfaceAddresses } from '../loopback/interface-addresses.ts'
import type { AnycastMetrics } from '../metrics/anycast-metrics.ts'

/**
 * present: make sure the address is there; absent: remove it once withdrawn; absent-if-ours:
 * remove it once withdrawn if this daemon added it; unmanaged: never touch it.
 */
export type AddressIntent = 'present' | 'absent' | 'absent-if-ours' | 'unmanaged'

export interface ServiceIntent extends RouteIntent {
  readonly interface: string
  readonly address: AddressIntent
}

export interface ReconcilerOptions {
  readonly backend: RoutingBackend
  readonly addresses: InterfaceAddresses
  readonly clock: Clock
  readonly logger: Logger
  readonly metrics: AnycastMetrics
  readonly retryMin: number
  readonly retryMax: number
  /** Read at the start of every pass. */
  readonly intents: () => readonly ServiceIntent[]
}

export interface ReloadOutcome {
  readonly ok: boolean
  readonly at: number
  readonly message: string
}

const addressKey = (device: string, prefix: IpPrefix) => `${device} ${prefix.text}`

export class Reconciler {
  private running = false
  private dirty = false
  private startQueued = false
  private stopped = false
  private timer: Timer | undefined
  private lastStart = Number.NEGATIVE_INFINITY
  private failures = 0
  private lastPassOk = false
  private announced = new Set<string>()
  /** Unknown until the first pass: anything may be announced. */
  private mayBeAnnounced: Set<string> | undefined
  private readonly addressStates = new Map<string, boolean>()
  private readonly addedByUs = new Set<string>()
  private lastReload: ReloadOutcome | undefined
  private readonly listeners = new Set<() => void>()

  constructor(private readonly options: ReconcilerOptions) {}

  get reload(): ReloadOutcome | undefined {
    return this.lastReload
  }

  /** The last pass succeeded and no change waits for a pass. */
  get settled(): boolean {
    return this.lastPassOk && !this.dirty && !this.running
  }

  routeState(prefix: IpPrefix, wanted: boolean): RouteState {
    if (wanted) return this.announced.has(prefix.text) ? 'announced' : 'pending'
    return this.mayBeAnnounced && !this.mayBeAnnounced.has(prefix.text) ? 'withdrawn' : 'pending'
  }

  /** True once the backend confirmed the prefix is not announced. */
  isWithdrawn(prefix: IpPrefix): boolean {
    return this.mayBeAnnounced !== undefined && !this.mayBeAnnounced.has(prefix.text)
  }

  addressState(device: string, prefix: IpPrefix, intent: AddressIntent): AddressState {
    if (intent === 'unmanaged') return 'unmanaged'
    const known = this.addressStates.get(addressKey(device, prefix))
    return known === undefined ? 'unknown' : known ? 'present' : 'absent'
  }

  /** Something changed: run a pass soon (now, or when the backend's minimum gap allows). */
  request(): void {
    if (this.stopped) return
    this.dirty = true
    this.schedule()
  }

  /** Resolves true once `done()` holds after a pass, false when `timeoutMs` passes first. */
  whenSettled(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (!this.running && !this.dirty && done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(
        timeoutMs,
        () => {
          this.listeners.delete(check)
          resolve(false)
        },
        { keepAlive: false },
      )
      const check = () => {
        if (this.running || this.dirty || !done()) return
        this.listeners.delete(check)
        timer.cancel()
        resolve(true)
      }
      this.listeners.add(check)
    })
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
  }

  private schedule(): void {
    if (this.running || this.startQueued) return
    this.timer?.cancel()
    const wait = Math.max(0, this.lastStart + this.options.backend.minGap - this.options.clock.now())
    if (wait === 0) {
      // Changes made in the same turn of the event loop share this pass.
      this.startQueued = true
      queueMicrotask(() => {
        this.startQueued = false
        void this.pass()
      })
    } else {
      this.timer = this.options.clock.setTimer(wait, () => void this.pass())
    }
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) return
    const { clock, logger, backend, addresses } = this.options
    this.running = true
    this.dirty = false
    this.lastStart = clock.now()
    const intents = this.options.intents()
    const problems: string[] = []

    const addressFailed = (intent: ServiceIntent, prefix: IpPrefix, failure: string, error: unknown) => {
      const message = (error as Error).message
      problems.push(message)
      logger.error(
        { event: 'address-error', service: intent.service, prefix: prefix.text, err: message },
        `${failure}: ${message}`,
      )
    }

    const blocked = new Set<string>()
    for (const intent of intents) {
      if (intent.address !== 'present' && !(intent.announce && intent.address !== 'unmanaged')) continue
      for (const prefix of intent.prefixes) {
        const key = addressKey(intent.interface, prefix)
        try {
          const outcome = await addresses.add(intent.interface, prefix)
          this.addressStates.set(key, true)
          if (outcome === 'added') {
            this.addedByUs.add(key)
            logger.info(
              {
                event: 'address-added',
                service: intent.service,
                prefix: prefix.text,
                interface: intent.interface,
              },
              `added ${prefix.text} to ${intent.interface}`,
            )
          }
        } catch (error) {
          addressFailed(intent, prefix, `cannot add ${prefix.text} to ${intent.interface}`, error)
          blocked.add(intent.service)
        }
      }
    }

    const routeIntents: RouteIntent[] = intents.map((intent) => ({
      service: intent.service,
      prefixes: intent.prefixes,
      birdProtocol: intent.birdProtocol,
      announce: intent.announce && !blocked.has(intent.service),
    }))
    let result: ApplyResult
    try {
      result = await backend.apply(routeIntents)
    } catch (error) {
      const wanted = routeIntents.filter((i) => i.announce).flatMap((i) => i.prefixes.map((p) => p.text))
      const all = intents.flatMap((i) => i.prefixes.map((p) => p.text))
      result = {
        ok: false,
        announced: this.announced,
        mayBeAnnounced: new Set([...(this.mayBeAnnounced ?? all), ...wanted]),
        message: (error as Error).message,
        changed: true,
      }
    }
    this.record(intents, result)
    if (!result.ok) problems.push(result.message)

    for (const intent of intents) {
      if (intent.announce || (intent.address !== 'absent' && intent.address !== 'absent-if-ours')) continue
      for (const prefix of intent.prefixes) {
        const key = addressKey(intent.interface, prefix)
        if (result.mayBeAnnounced.has(prefix.text)) continue
        if (intent.address === 'absent-if-ours' && !this.addedByUs.has(key)) continue
        try {
          const outcome = await addresses.remove(intent.interface, prefix)
          this.addressStates.set(key, false)
          this.addedByUs.delete(key)
          if (outcome === 'removed') {
            logger.info(
              {
                event: 'address-removed',
                service: intent.service,
                prefix: prefix.text,
                interface: intent.interface,
              },
              `removed ${prefix.text} from ${intent.interface} (withdraw confirmed)`,
            )
          }
        } catch (error) {
          addressFailed(intent, prefix, `cannot remove ${prefix.text} from ${intent.interface}`, error)
        }
      }
    }

    this.running = false
    this.lastPassOk = problems.length === 0
    if (this.lastPassOk) {
      this.failures = 0
    } else {
      this.failures++
      const backoff = Math.min(this.options.retryMin * 2 ** (this.failures - 1), this.options.retryMax)
      logger.warn(
        { event: 'retry', attempt: this.failures, retryInMs: backoff, problems },
        `retrying in ${backoff}ms (attempt ${this.failures})`,
      )
      if (!this.dirty && !this.stopped) {
        this.timer = clock.setTimer(backoff, () => {
          this.dirty = true
          void this.pass()
        })
      }
    }
    if (this.dirty) this.schedule()
    for (const listener of [...this.listeners]) listener()
  }

  private record(intents: readonly ServiceIntent[], result: ApplyResult): void {
    const { clock, logger, metrics } = this.options
    const now = clock.now()
    const previouslyAnnounced = this.announced
    const previouslyMaybe = this.mayBeAnnounced
    this.announced = new Set(result.announced)
    this.mayBeAnnounced = new Set(result.mayBeAnnounced)
    if (result.changed) {
      const fields = {
        event: 'reload',
        result: result.ok ? 'ok' : 'failed',
        backend: this.options.backend.kind,
      }
      if (result.ok) logger.info(fields, `${this.options.backend.kind}: ${result.message}`)
      else logger.error({ ...fields, err: result.message }, `${this.options.backend.kind}: ${result.message}`)
      this.lastReload = { ok: result.ok, at: now, message: result.message }
      metrics.reloads.inc({ result: result.ok ? 'ok' : 'failed' })
      metrics.reloadSuccess.set({}, result.ok ? 1 : 0)
      metrics.reloadTimestamp.set({}, Math.floor(now / 1000))
    }
    metrics.announcedPrefixes.set({}, this.announced.size)
    for (const intent of intents) {
      for (const prefix of intent.prefixes) {
        const fields = { service: intent.service, prefix: prefix.text }
        metrics.prefixAnnounced.set(fields, this.announced.has(prefix.text) ? 1 : 0)
        if (this.announced.has(prefix.text) && !previouslyAnnounced.has(prefix.text)) {
          logger.info({ ...fields, event: 'announced', state: 'announced' }, `announced ${prefix.text}`)
        }
        const wasMaybe = previouslyMaybe === undefined || previouslyMaybe.has(prefix.text)
        if (wasMaybe && !this.mayBeAnnounced.has(prefix.text)) {
          logger.info(
            { ...fields, event: 'withdrawn', state: 'withdrawn' },
            `withdrawn ${prefix.text} (confirmed)`,
          )
        }
      }
    }
  }

  /** Forgets the metric series of prefixes that left the config. */
  forget(service: string, prefixes: readonly IpPrefix[]): void {
    for (const prefix of prefixes)
      this.options.metrics.prefixAnnounced.remove({ service, prefix: prefix.text })
  }
}
