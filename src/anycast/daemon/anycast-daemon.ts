/**
 * @module
 * The daemon's core, free of sockets and signals so tests can drive it with a fake clock, a fake
 * backend and fake addresses: service monitors decide, the reconciler acts, drain files and
 * control requests feed in, `status()` reports. `run-anycast-daemon.ts` adds the real world.
 */
import type { Logger } from 'pino'
import type { RoutingBackend } from '../backends/routing-backend.ts'
import { createProbe } from '../checks/create-probe.ts'
import type { Probe } from '../checks/probe.ts'
import type { Clock, Timer } from '../clock.ts'
import type { AnycastConfig, CheckConfig, ServiceConfig } from '../config/anycast-config.ts'
import type {
  AnycastStatus,
  ControlRequest,
  ControlResponse,
  ServiceStatus,
} from '../control/control-protocol.ts'
import type { InterfaceAddresses } from '../loopback/interface-addresses.ts'
import type { AnycastMetrics } from '../metrics/anycast-metrics.ts'
import { seededRandom } from '../seeded-random.ts'
import { allServices, DrainState } from './drain-state.ts'
import { type AddressIntent, Reconciler, type ServiceIntent } from './reconciler.ts'
import { ServiceMonitor } from './service-monitor.ts'

export interface AnycastDaemonOptions {
  readonly config: AnycastConfig
  readonly backend: RoutingBackend
  readonly addresses: InterfaceAddresses
  readonly clock: Clock
  readonly logger: Logger
  readonly metrics: AnycastMetrics
  /** Start-up splay source; defaults to one seeded by `[daemon] splay-seed` (random when unset). */
  readonly random?: () => number
  /** Probe factory (tests replace the network probes). @default createProbe */
  readonly probeFor?: (check: CheckConfig) => Probe
}

/** A service config without its line numbers, to tell a changed service from a moved one. */
function serviceIdentity(service: ServiceConfig): string {
  return JSON.stringify(service, (key, value: unknown) => (key === 'line' ? undefined : value))
}

export class AnycastDaemon {
  private config: AnycastConfig
  private readonly monitors = new Map<string, ServiceMonitor>()
  /** Services a reload removed: withdrawn (and their addresses cleaned up) before they are forgotten. */
  private retiring: ServiceConfig[] = []
  private drains: DrainState
  private readonly reconciler: Reconciler
  private readonly random: () => number
  private stopping = false
  private pollTimer: Timer | undefined
  private resyncTimer: Timer | undefined
  readonly startedAt: number

  constructor(private readonly options: AnycastDaemonOptions) {
    this.config = options.config
    this.random = options.random ?? seededRandom(options.config.daemon.splaySeed)
    this.startedAt = options.clock.now()
    this.drains = this.drainStateFor(this.config)
    this.reconciler = new Reconciler({
      backend: options.backend,
      addresses: options.addresses,
      clock: options.clock,
      logger: options.logger,
      metrics: options.metrics,
      retryMin: this.config.daemon.retryMin,
      retryMax: this.config.daemon.retryMax,
      intents: () => this.intents(),
    })
    for (const service of this.config.services) this.monitors.set(service.name, this.monitorFor(service))
  }

  private drainStateFor(config: AnycastConfig): DrainState {
    return new DrainState(config.daemon.drainFile, new Map(config.services.map((s) => [s.name, s.drainFile])))
  }

  private monitorFor(service: ServiceConfig): ServiceMonitor {
    const { options } = this
    return new ServiceMonitor({
      config: service,
      dampening: this.config.dampening,
      clock: options.clock,
      random: this.random,
      logger: options.logger,
      metrics: options.metrics,
      probeFor: options.probeFor ?? ((check) => createProbe(check.probe, options.addresses)),
      onChange: () => this.reconciler.request(),
    })
  }

  async start(): Promise<void> {
    await this.refreshDrains()
    this.options.logger.info(
      { event: 'start', backend: this.options.backend.kind, services: [...this.monitors.keys()] },
      `preflight anycast: ${this.monitors.size} service(s), backend ${this.options.backend.kind}`,
    )
    for (const monitor of this.monitors.values()) monitor.start()
    // The first pass withdraws whatever an earlier run left announced, until the checks decide.
    this.reconciler.request()
    this.pollDrains()
    this.resync()
  }

  private pollDrains(): void {
    this.pollTimer = this.options.clock.setTimer(
      this.config.daemon.drainPoll,
      () => {
        void this.refreshDrains().finally(() => {
          if (!this.stopping) this.pollDrains()
        })
      },
      { keepAlive: false },
    )
  }

  private resync(): void {
    this.resyncTimer = this.options.clock.setTimer(
      this.config.daemon.resync,
      () => {
        this.reconciler.request()
        if (!this.stopping) this.resync()
      },
      { keepAlive: false },
    )
  }

  /** Re-reads the drain files and passes the result to the services. */
  async refreshDrains(): Promise<void> {
    await this.drains.refresh()
    for (const monitor of this.monitors.values()) monitor.setDrained(this.drains.drainedBy(monitor.name))
  }

  private addressIntent(service: ServiceConfig, monitor: ServiceMonitor | undefined): AddressIntent {
    if (service.address === 'unmanaged') return 'unmanaged'
    if (this.stopping || !monitor) return 'absent-if-ours'
    if (service.address === 'dynamic' && monitor.health === 'failing') return 'absent'
    return 'present'
  }

  private intents(): ServiceIntent[] {
    const intentOf = (service: ServiceConfig, monitor: ServiceMonitor | undefined): ServiceIntent => ({
      service: service.name,
      prefixes: service.prefixes,
      interface: service.interface,
      birdProtocol: service.birdProtocol,
      announce: !this.stopping && monitor?.state === 'up',
      address: this.addressIntent(service, monitor),
    })
    if (this.reconciler.settled) {
      this.retiring = this.retiring.filter((s) => !s.prefixes.every((p) => this.reconciler.isWithdrawn(p)))
    }
    return [
      ...[...this.monitors.values()].map((monitor) => intentOf(monitor.config, monitor)),
      ...this.retiring.map((service) => intentOf(service, undefined)),
    ]
  }

  status(): AnycastStatus {
    const { clock, backend } = this.options
    const services: ServiceStatus[] = [...this.monitors.values()].map((monitor) => {
      const service = monitor.config
      const wanted = !this.stopping && monitor.state === 'up'
      const addressIntent = this.addressIntent(service, monitor)
      return {
        name: monitor.name,
        state: monitor.state,
        since: monitor.since,
        health: monitor.health,
        drainedBy: monitor.drainedBy,
        penalty: Math.round(monitor.penalty()),
        flaps: monitor.flaps(),
        holdDownMs: monitor.holdDownMs(),
        prefixes: service.prefixes.map((prefix) => ({
          prefix: prefix.text,
          route: this.reconciler.routeState(prefix, wanted),
          address: this.reconciler.addressState(service.interface, prefix, addressIntent),
        })),
        checks: monitor.checkStatuses(),
      }
    })
    return {
      pid: process.pid,
      config: this.config.file,
      backend: backend.kind,
      startedAt: this.startedAt,
      now: clock.now(),
      lastReload: this.reconciler.reload,
      services,
    }
  }

  async handle(request: ControlRequest): Promise<ControlResponse> {
    if (request.command === 'status') return { ok: true, status: this.status() }
    if (request.command !== 'drain' && request.command !== 'undrain') {
      return { ok: false, error: `unknown command '${(request as { command: string }).command}'` }
    }
    const unknown = request.services.filter((name) => !this.monitors.has(name))
    if (unknown.length > 0)
      return { ok: false, error: `unknown service: ${unknown.join(', ')}`, status: this.status() }
    const targets = request.services.length > 0 ? request.services : [allServices]
    const warnings: string[] = []
    for (const target of targets) {
      if (request.command === 'drain') {
        const warning = await this.drains.drain(target, 'preflight anycast drain')
        if (warning) warnings.push(warning)
      } else {
        await this.drains.undrain(target)
      }
    }
    await this.refreshDrains()
    const affected = [...this.monitors.values()].filter(
      (m) => request.services.length === 0 || request.services.includes(m.name),
    )
    const stillDrained = affected.filter((m) => m.drainedBy).map((m) => `${m.name} (${m.drainedBy})`)
    if (request.command === 'undrain' && stillDrained.length > 0) {
      warnings.push(`still drained: ${stillDrained.join(', ')}`)
    }
    if (request.waitMs <= 0)
      return { ok: true, status: this.status(), message: warnings.join('; ') || undefined }
    const confirmedFor = (monitor: ServiceMonitor) =>
      request.command === 'drain'
        ? monitor.config.prefixes.every((prefix) => this.reconciler.routeState(prefix, false) === 'withdrawn')
        : monitor.state !== 'up' ||
          monitor.config.prefixes.every((prefix) => this.reconciler.routeState(prefix, true) === 'announced')
    const confirmed = await this.reconciler.whenSettled(() => affected.every(confirmedFor), request.waitMs)
    const verb = request.command === 'drain' ? 'withdrawn' : 'announced (services that are up)'
    const message = confirmed ? `${verb}: confirmed` : `not confirmed within ${request.waitMs}ms (see status)`
    return confirmed
      ? { ok: true, status: this.status(), message: [message, ...warnings].join('; ') }
      : { ok: false, error: [message, ...warnings].join('; '), status: this.status() }
  }

  /** Applies a new config: unchanged services keep their state, changed ones restart their checks. */
  reload(config: AnycastConfig): void {
    const { logger } = this.options
    for (const section of ['daemon', 'bird', 'exabgp'] as const) {
      if (JSON.stringify(config[section]) !== JSON.stringify(this.config[section])) {
        logger.warn(
          { event: 'reload-config', section },
          `[${section}] changed: restart the daemon to apply it`,
        )
      }
    }
    const dampeningChanged = JSON.stringify(config.dampening) !== JSON.stringify(this.config.dampening)
    const next = new Map(config.services.map((service) => [service.name, service]))
    for (const [name, monitor] of this.monitors) {
      const replacement = next.get(name)
      if (
        replacement &&
        !dampeningChanged &&
        serviceIdentity(replacement) === serviceIdentity(monitor.config)
      )
        continue
      monitor.stop()
      monitor.unpublish()
      this.monitors.delete(name)
      if (!replacement) {
        this.retiring.push(monitor.config)
        this.reconciler.forget(
          name,
          monitor.config.prefixes.filter(
            (p) => !config.services.some((s) => s.prefixes.some((q) => q.text === p.text)),
          ),
        )
      }
      logger.info(
        { event: 'reload-service', service: name },
        replacement ? 'service changed: checks restart' : 'service removed',
      )
    }
    this.config = {
      ...config,
      daemon: this.config.daemon,
      bird: this.config.bird,
      exabgp: this.config.exabgp,
    }
    this.drains = this.drainStateFor(this.config)
    for (const service of config.services) {
      if (this.monitors.has(service.name)) continue
      const monitor = this.monitorFor(service)
      this.monitors.set(service.name, monitor)
      monitor.start()
    }
    this.retiring = this.retiring.filter((service) => !next.has(service.name))
    void this.refreshDrains()
    this.reconciler.request()
  }

  /**
   * Stops the checks; with `withdraw-on-shutdown`, withdraws everything, waits for the backend to
   * confirm it and removes the addresses this run added. Resolves false when that could not be
   * confirmed in time (addresses are then left in place).
   */
  async stop(): Promise<boolean> {
    if (this.stopping) return false
    this.stopping = true
    this.pollTimer?.cancel()
    this.resyncTimer?.cancel()
    for (const monitor of this.monitors.values()) monitor.stop()
    const { logger } = this.options
    const { config } = this
    if (!config.daemon.withdrawOnShutdown) {
      this.reconciler.stop()
      logger.info(
        { event: 'stop', withdrawn: false },
        'stopping; announcements left as they are (withdraw-on-shutdown = no)',
      )
      return true
    }
    logger.info({ event: 'stop' }, 'stopping: withdrawing every prefix')
    this.reconciler.request()
    const prefixes = [...this.monitors.values(), ...this.retiring.map((config) => ({ config }))].flatMap(
      (entry) => entry.config.prefixes,
    )
    const done = await this.reconciler.whenSettled(
      () => this.reconciler.settled && prefixes.every((prefix) => this.reconciler.isWithdrawn(prefix)),
      config.daemon.shutdownTimeout,
    )
    this.reconciler.stop()
    if (done) logger.info({ event: 'stopped', withdrawn: true }, 'every prefix withdrawn; stopped')
    else
      logger.error(
        { event: 'stopped', withdrawn: false },
        'withdraw not confirmed before the shutdown time-out',
      )
    return done
  }
}
