import type { Command } from 'commander'
import { type AnycastConfig, loadAnycastConfig } from '../../anycast/config/anycast-config.ts'
import { AnycastConfigError } from '../../anycast/config/anycast-config-error.ts'
import { ControlUnreachableError, sendControlRequest } from '../../anycast/control/control-client.ts'
import type { ControlRequest } from '../../anycast/control/control-protocol.ts'
import { renderStatusTable } from '../../anycast/control/status-table.ts'
import { runAnycastDaemon } from '../../anycast/daemon/run-anycast-daemon.ts'
import { formatDuration, parseDuration } from '../../anycast/duration.ts'
import { exitCodes } from '../exit-codes.ts'

const defaultSocket = '/run/preflight-anycast.sock'
const defaultConfig = '/etc/preflight/anycast.conf'
/** The daemon is not reachable or refused the request. */
const controlFailed = 1

interface ControlFlags {
  config?: string
  socket?: string
  json?: boolean
  wait?: boolean
  timeout: string
}

/** Loads the config, printing every file:line problem to stderr; undefined when it is unusable. */
async function loadOrReport(file: string): Promise<AnycastConfig | undefined> {
  try {
    return await loadAnycastConfig(file)
  } catch (error) {
    if (error instanceof AnycastConfigError) {
      for (const problem of error.errors) process.stderr.write(`preflight anycast: ${problem.message}\n`)
    } else {
      process.stderr.write(`preflight anycast: cannot read ${file}: ${(error as Error).message}\n`)
    }
    process.exitCode = exitCodes.invalidOption
    return undefined
  }
}

async function socketOf(flags: ControlFlags): Promise<string | undefined> {
  if (flags.socket) return flags.socket
  if (!flags.config) return defaultSocket
  return (await loadOrReport(flags.config))?.daemon.controlSocket
}

/** Sends the request `build` makes for the --timeout given, and prints the answer. */
async function control(flags: ControlFlags, build: (timeoutMs: number) => ControlRequest): Promise<void> {
  const socket = await socketOf(flags)
  if (!socket) return
  const timeoutMs = parseDuration(flags.timeout)
  if (timeoutMs === undefined) {
    process.stderr.write(`preflight anycast: --timeout: not a duration: '${flags.timeout}'\n`)
    process.exitCode = exitCodes.invalidOption
    return
  }
  const request = build(timeoutMs)
  const waitMs = request.command === 'status' ? 0 : request.waitMs
  try {
    const response = await sendControlRequest(socket, request, waitMs + timeoutMs)
    if (flags.json) process.stdout.write(`${JSON.stringify(response, null, 2)}\n`)
    else if (response.status && request.command === 'status') {
      process.stdout.write(renderStatusTable(response.status, { color: process.stdout.isTTY === true }))
    }
    if (!response.ok) {
      process.stderr.write(`preflight anycast: ${response.error}\n`)
      process.exitCode = controlFailed
    } else if (!flags.json && response.message) {
      process.stdout.write(`${response.message}\n`)
    }
  } catch (error) {
    if (!(error instanceof ControlUnreachableError)) throw error
    process.stderr.write(`preflight anycast: ${error.message}\n`)
    process.exitCode = controlFailed
  }
}

/** Gives `command` a --config option and runs `action` on the config once it loads without problems. */
function withConfig(command: Command, action: (config: AnycastConfig) => Promise<void> | void): Command {
  return command
    .option('--config <file>', 'config file', defaultConfig)
    .action(async (flags: { config: string }) => {
      const config = await loadOrReport(flags.config)
      if (config) await action(config)
    })
}

function withControlOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      `read the control socket path from this config (default socket ${defaultSocket})`,
    )
    .option('--socket <path>', 'control socket of the running daemon')
    .option('--json', 'print the JSON answer')
}

export function registerAnycast(program: Command): void {
  const anycast = program
    .command('anycast')
    .description(
      'Anycast health-check daemon: announce a service prefix over BIRD or ExaBGP only while it is healthy.',
    )

  withConfig(
    anycast.command('run').description('Run the daemon (foreground; logs JSON). Details: docs/anycast.md.'),
    async (config) => {
      const code = await runAnycastDaemon(config)
      // The ExaBGP backend keeps stdin open; nothing else is left to finish.
      process.exit(code)
    },
  )

  withConfig(
    anycast.command('check-config').description('Validate a config file; problems are printed as file:line.'),
    (config) => {
      for (const service of config.services) {
        const prefixes = service.prefixes.map((prefix) => prefix.text).join(' ')
        const checks = service.checks
          .map(
            (check) => `${check.name} (${check.probe.type}, every ${formatDuration(check.timing.interval)})`,
          )
          .join(', ')
        process.stdout.write(`${service.name}: ${prefixes} on ${service.interface}; checks ${checks}\n`)
      }
      process.stdout.write(`${config.file}: OK (backend ${config.daemon.backend})\n`)
    },
  )

  withControlOptions(
    anycast.command('status').description('Show services, prefixes and checks of the running daemon.'),
  )
    .option('--timeout <duration>', 'give up after this long', '5s')
    .action((flags: ControlFlags) => control(flags, () => ({ command: 'status' })))

  for (const verb of ['drain', 'undrain'] as const) {
    withControlOptions(
      anycast
        .command(`${verb} [services...]`)
        .description(
          verb === 'drain'
            ? 'Withdraw the anycast routes (all services, or the ones named) for maintenance; the BGP session and maintenance IP stay.'
            : 'End a drain: services that are healthy are announced again.',
        ),
    )
      .option('--no-wait', 'return at once instead of waiting for the routing daemon to confirm')
      .option('--timeout <duration>', 'how long to wait for the confirmation', '30s')
      .action((services: string[], flags: ControlFlags) =>
        control(flags, (timeoutMs) => ({
          command: verb,
          services,
          waitMs: flags.wait === false ? 0 : timeoutMs,
        })),
      )
  }
}
