/**
 * @module
 * `preflight anycast status` for people: one line per prefix (state, since, route, address,
 * penalty, hold-down, drain), then one line per check (state, streak, last result), in plain
 * columns like `birdc show protocols`.
 */
import Table from 'cli-table3'
import { createColors } from 'picocolors'
import { formatDuration } from '../duration.ts'
import type { AnycastStatus, ServiceState } from './control-protocol.ts'

type Colors = ReturnType<typeof createColors>

const plainChars = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
}

function table(head: string[], c: Colors): Table.Table {
  return new Table({
    head: head.map((title) => c.bold(title)),
    chars: plainChars,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
}

function stateColor(c: Colors, state: string): string {
  const paint: Record<string, (text: string) => string> = {
    up: c.green,
    announced: c.green,
    present: c.green,
    down: c.red,
    held: c.yellow,
    pending: c.yellow,
    drained: c.cyan,
    starting: c.dim,
    unknown: c.dim,
  }
  return (paint[state] ?? ((text: string) => text))(state)
}

/** The table without the padding cli-table3 leaves after the last column. */
function trimmed(rendered: Table.Table): string {
  return rendered
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}

function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8)
}

function ago(now: number, at: number): string {
  return `${formatDuration(Math.max(0, now - at))} ago`
}

export function renderStatusTable(status: AnycastStatus, options: { color?: boolean } = {}): string {
  const c = createColors(options.color ?? false)
  const lines: string[] = []
  const reload = status.lastReload
  lines.push(
    `preflight anycast: pid ${status.pid}, backend ${status.backend}, up ${formatDuration(status.now - status.startedAt)}, config ${status.config}`,
  )
  lines.push(
    reload
      ? `last reload: ${reload.ok ? c.green('ok') : c.red('FAILED')} at ${clockTime(reload.at)} (${ago(status.now, reload.at)}): ${reload.message}`
      : 'last reload: none yet',
  )
  lines.push('')

  const services = table(
    ['SERVICE', 'STATE', 'SINCE', 'PREFIX', 'ROUTE', 'ADDRESS', 'PENALTY', 'HOLD-DOWN', 'DRAINED'],
    c,
  )
  for (const service of status.services) {
    service.prefixes.forEach((prefix, index) => {
      const first = index === 0
      services.push([
        first ? service.name : '',
        first ? stateColor(c, service.state satisfies ServiceState) : '',
        first ? `${clockTime(service.since)} (${ago(status.now, service.since)})` : '',
        prefix.prefix,
        stateColor(c, prefix.route),
        stateColor(c, prefix.address),
        first ? String(service.penalty) : '',
        first ? (service.holdDownMs > 0 ? formatDuration(service.holdDownMs) : '-') : '',
        first ? (service.drainedBy ?? 'no') : '',
      ])
    })
  }
  lines.push(trimmed(services))
  lines.push('')

  const checks = table(['SERVICE', 'CHECK', 'TYPE', 'STATE', 'STREAK', 'LAST RESULT', 'TOOK', 'AT'], c)
  for (const service of status.services) {
    for (const check of service.checks) {
      const streak = check.failures > 0 ? `${check.failures} failed` : `${check.successes} ok`
      checks.push([
        service.name,
        check.name,
        check.type,
        stateColor(c, check.state),
        streak,
        check.last ? `${check.last.ok ? 'ok' : c.red('fail')}: ${check.last.detail}` : 'not run yet',
        check.last ? formatDuration(check.last.durationMs) : '-',
        check.last ? ago(status.now, check.last.at) : '-',
      ])
    }
  }
  lines.push(trimmed(checks))
  return `${lines.join('\n')}\n`
}
