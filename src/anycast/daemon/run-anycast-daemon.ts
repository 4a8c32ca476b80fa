/**
 * @module
 * `preflight anycast run`: the daemon with the real world attached: the routing backend of the
 * config, iproute2, the control socket, the metrics endpoint and the signals
 *
 *   SIGTERM, SIGINT  stop (withdrawing first when withdraw-on-shutdown = yes)
 *   SIGUSR1          drain every service (creates the drain file)
 *   SIGUSR2          undrain (removes the drain file)
 *   SIGHUP           re-read the config; changed services restart their checks
 */
import { rm } from 'node:fs/promises'
import type { Logger } from 'pino'
import { createAnycastLogger } from '../anycast-logger.ts'
import { BirdBackend } from '../backends/bird-backend.ts'
import { ExabgpBackend } from '../backends/exabgp-backend.ts'
import type { RoutingBackend } from '../backends/routing-backend.ts'
import { systemClock } from '../clock.ts'
import { type AnycastConfig, loadAnycastConfig } from '../config/anycast-config.ts'
import { AnycastConfigError } from '../config/anycast-config-error.ts'
import { type ControlServer, startControlServer } from '../control/control-server.ts'
import { ipCommandAddresses } from '../loopback/interface-addresses.ts'
import { createAnycastMetrics } from '../metrics/anycast-metrics.ts'
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server.ts'
import { AnycastDaemon } from './anycast-daemon.ts'

function createBackend(
  config: AnycastConfig,
  logger: Logger,
  onLost: (reason: string) => void,
): RoutingBackend {
  if (config.daemon.backend === 'bird') {
    return new BirdBackend({ settings: config.bird, source: config.file, clock: systemClock, logger })
  }
  return new ExabgpBackend({
    settings: config.exabgp,
    output: process.stdout,
    input: process.stdin,
    clock: systemClock,
    logger,
    onClosed: onLost,
  })
}

/** Runs until a stop signal; resolves with the exit status (1 when the final withdraw was not confirmed). */
export async function runAnycastDaemon(config: AnycastConfig): Promise<number> {
  const logger = createAnycastLogger(config.daemon.logLevel, config.daemon.backend === 'exabgp' ? 2 : 1)
  const metrics = createAnycastMetrics()
  let requestStop: (reason: string) => void = () => {}
  const backend = createBackend(config, logger, (reason) => requestStop(reason))
  const daemon = new AnycastDaemon({
    config,
    backend,
    addresses: ipCommandAddresses(),
    clock: systemClock,
    logger,
    metrics,
  })

  let control: ControlServer | undefined
  let metricsServer: MetricsServer | undefined
  try {
    control = await startControlServer(config.daemon.controlSocket, (request) => daemon.handle(request))
    if (config.daemon.metricsListen) {
      metricsServer = await startMetricsServer(config.daemon.metricsListen, () => metrics.registry.render())
      logger.info(
        { event: 'metrics', address: metricsServer.address },
        `metrics on http://${config.daemon.metricsListen.host}:${metricsServer.address.port}/metrics`,
      )
    }
  } catch (error) {
    logger.fatal(
      { event: 'start-failed', err: (error as Error).message },
      `cannot start: ${(error as Error).message}`,
    )
    await control?.close()
    return 1
  }
  await daemon.start()

  return new Promise((resolve) => {
    let stopping = false
    const signals: Partial<Record<NodeJS.Signals, () => void>> = {
      SIGTERM: () => requestStop('SIGTERM'),
      SIGINT: () => requestStop('SIGINT'),
      SIGUSR1: () => void daemon.handle({ command: 'drain', services: [], waitMs: 0 }),
      SIGUSR2: () => void daemon.handle({ command: 'undrain', services: [], waitMs: 0 }),
      SIGHUP: () => {
        loadAnycastConfig(config.file).then(
          (next) => {
            logger.info({ event: 'reload-config', file: config.file }, `SIGHUP: reloading ${config.file}`)
            daemon.reload(next)
          },
          (error: unknown) => {
            const problems =
              error instanceof AnycastConfigError ? error.errors.map((e) => e.message) : [String(error)]
            logger.error(
              { event: 'reload-config', problems },
              `SIGHUP: config not reloaded: ${problems.join('; ')}`,
            )
          },
        )
      },
    }
    for (const [signal, handler] of Object.entries(signals)) process.on(signal, handler)
    requestStop = (reason) => {
      if (stopping) return
      stopping = true
      logger.info({ event: 'signal', reason }, `stopping (${reason})`)
      void (async () => {
        const withdrawn = await daemon.stop()
        await control?.close()
        await rm(config.daemon.controlSocket, { force: true })
        await metricsServer?.close()
        await backend.close()
        for (const [signal, handler] of Object.entries(signals)) process.off(signal, handler)
        resolve(withdrawn ? 0 : 1)
      })()
    }
  })
}
