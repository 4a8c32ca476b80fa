/**
 * @module
 * The console report: the Preupgrade Assistant's `|Title …|status |` table (most severe first),
 * the findings behind every result that is not fine, then a short summary that tells the truth
 * on its own: counts, highest risk, where the files are and what the exit code means.
 */
import { createColors } from 'picocolors'
import type { AnyCheck } from '../checks/define-check.ts'
import { type RiskLevel, riskRank, type Status, statuses } from '../checks/result.ts'
import type { Assessment, CheckResult } from '../engine/assessment.ts'
import { bySeverity } from '../engine/risk.ts'
import { hostLabel } from './host-label.ts'
import type { Renderer, RenderOptions } from './renderer.ts'
import { targetLabel } from './target-label.ts'
import { terminalText, visibleLength } from './terminal-text.ts'
import { plural, verdict } from './verdict.ts'

/** The seed's table is 126 columns wide; narrower terminals get a narrower table. */
const defaultWidth = 126
const minimumWidth = 40

/** Results whose risks are shown without -v: everything that asks the administrator to act or look. */
const findingStatuses: readonly Status[] = ['error', 'fail', 'needs_action', 'needs_inspection']

type Colors = ReturnType<typeof createColors>

function statusColor(c: Colors, status: Status): (text: string) => string {
  switch (status) {
    case 'error':
    case 'fail':
      return (text) => c.bold(c.red(text))
    case 'needs_action':
      return c.red
    case 'needs_inspection':
      return c.yellow
    case 'fixed':
    case 'pass':
      return c.green
    case 'informational':
      return c.cyan
    case 'notapplicable':
      return c.dim
  }
}

function riskColor(c: Colors, level: RiskLevel): (text: string) => string {
  if (level === 'extreme') return (text) => c.bold(c.red(text))
  if (level === 'high') return c.red
  if (level === 'medium') return c.yellow
  return c.dim
}

/**
 * Greedy word wrap; words longer than the width are cut, and a line's leading indentation (a command
 * in a solution) is kept on its continuation lines. Always at least one (maybe empty) line.
 */
export function wrap(text: string, width: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const indent = /^ */.exec(paragraph)?.[0] ?? ''
    const inner = Math.max(10, width - indent.length)
    return wrapParagraph(paragraph.slice(indent.length), inner).map((line) => indent + line)
  })
}

function wrapParagraph(paragraph: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (let word of paragraph.split(' ')) {
    while (visibleLength(word) > width) {
      if (line) lines.push(line)
      const chars = [...word]
      lines.push(chars.slice(0, width).join(''))
      word = chars.slice(width).join('')
      line = ''
    }
    if (line === '') line = word
    else if (visibleLength(line) + 1 + visibleLength(word) <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  lines.push(line)
  return lines
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)))
}

function resultTable(results: readonly CheckResult[], width: number, c: Colors): string[] {
  const statusWidth = Math.max(...results.map((r) => r.status.length)) + 2
  const titleWidth = width - statusWidth - 3
  const rule = '-'.repeat(width)
  const rows = results.flatMap((result) => {
    const [first = '', ...rest] = wrap(terminalText(result.title), titleWidth)
    const status = statusColor(c, result.status)(padEnd(result.status, statusWidth))
    return [
      `|${padEnd(first, titleWidth)}|${status}|`,
      ...rest.map((line) => `|${padEnd(line, titleWidth)}|${' '.repeat(statusWidth)}|`),
    ]
  })
  return [rule, ...rows, rule]
}

function indented(text: string, indent: number, width: number, multiline = false): string[] {
  return wrap(terminalText(text, multiline), Math.max(20, width - indent)).map(
    (line) => ' '.repeat(indent) + line,
  )
}

function where(file?: string, line?: number): string {
  if (file === undefined) return ''
  return line === undefined ? ` (${file})` : ` (${file}:${line})`
}

function finding(
  result: CheckResult,
  verbose: number,
  width: number,
  c: Colors,
  statusWidth: number,
): string[] {
  const indent = 4
  const status = statusColor(c, result.status)(padEnd(result.status, statusWidth))
  const lines = [`${status} ${terminalText(result.title)}  ${c.dim(`[${result.id}]`)}`]
  if (result.error) lines.push(...indented(`Could not run: ${result.error}`, indent, width))
  for (const risk of result.risks) {
    const label = risk.level.toUpperCase().padEnd(8)
    const [first = '', ...rest] = indented(`${risk.message}${where(risk.file, risk.line)}`, indent + 9, width)
    lines.push(`${' '.repeat(indent)}${riskColor(c, risk.level)(label)} ${first.trimStart()}`, ...rest)
  }
  if (verbose >= 1) {
    if (result.solution) {
      lines.push(`${' '.repeat(indent)}${c.bold('Solution:')}`)
      lines.push(...indented(result.solution, indent + 2, width, true))
    }
    if (result.messages.length > 0) lines.push(`${' '.repeat(indent)}${c.bold('Notes:')}`)
    for (const message of result.messages) lines.push(...indented(message, indent + 2, width))
    for (const warning of result.warnings) {
      lines.push(...indented(`malformed: ${warning.file}:${warning.line}: ${warning.message}`, indent, width))
    }
  } else if (result.warnings.length > 0) {
    lines.push(
      ...indented(
        `${plural(result.warnings.length, 'malformed line')} in the files this check read (-v lists them)`,
        indent,
        width,
      ),
    )
  }
  return lines
}

function findings(results: readonly CheckResult[], verbose: number, width: number, c: Colors): string[] {
  const shown = results.filter((result) => {
    if (findingStatuses.includes(result.status)) return true
    if (result.status === 'pass') return verbose >= 2 && result.messages.length > 0
    if (result.status === 'notapplicable') return verbose >= 2
    return verbose >= 1
  })
  if (shown.length === 0) return []
  const statusWidth = Math.max(...shown.map((result) => result.status.length))
  return [
    '',
    c.bold('Findings, most severe first:'),
    ...shown.flatMap((result) => finding(result, verbose, width, c, statusWidth)),
  ]
}

function countsLine(assessment: Assessment): string {
  const { counts, highestRisk } = assessment.summary
  const total = assessment.results.length
  const parts = statuses.filter((status) => counts[status] > 0).map((status) => `${counts[status]} ${status}`)
  const breakdown = parts.length > 0 ? `: ${parts.join(', ')}` : ''
  return `${plural(total, 'check')}${breakdown}; highest risk: ${highestRisk ?? 'none'}.`
}

function selectionLine(assessment: Assessment): string | undefined {
  const { select, skip, strict } = assessment.selection
  const parts = [
    ...(select.length > 0 ? [`--select ${select.join(',')}`] : []),
    ...(skip.length > 0 ? [`--skip ${skip.join(',')}`] : []),
    ...(strict ? ['--strict'] : []),
  ]
  return parts.length > 0 ? `Only part of the catalogue ran (${parts.join(' ')}).` : undefined
}

/** Several checks read the same file, so a bad line is counted once. */
function malformedLine(results: readonly CheckResult[]): string | undefined {
  const lines = new Set(results.flatMap((result) => result.warnings.map((w) => `${w.file}:${w.line}`)))
  if (lines.size === 0) return undefined
  return `Skipped ${plural(lines.size, 'malformed line')} in host files (-v lists them).`
}

function heading(assessment: Assessment): string {
  const { host, target } = assessment
  const to = targetLabel(target) ?? 'an unknown target release'
  return `Result table for ${terminalText(hostLabel(host))}, ${terminalText(host.os.name)} to ${terminalText(to)}:`
}

export const table: Renderer = {
  render(assessment, options: RenderOptions = {}) {
    const c = createColors(options.color ?? false)
    const width = Math.max(minimumWidth, Math.min(options.width ?? defaultWidth, defaultWidth))
    const verbose = options.verbose ?? 0
    const results = bySeverity(assessment.results)
    const lines =
      results.length > 0
        ? [
            ...wrap(heading(assessment), width),
            ...resultTable(results, width, c),
            ...findings(results, verbose, width, c),
          ]
        : ['No checks ran.']
    lines.push('', ...wrap(countsLine(assessment), width).map((line) => c.bold(line)))
    const selection = selectionLine(assessment)
    if (selection) lines.push(selection)
    const malformed = malformedLine(results)
    if (malformed) lines.push(malformed)
    if (options.written) {
      lines.push(`Archive with the results: ${options.written.archive}`)
      lines.push(`The latest assessment is in ${options.written.latest} (open report.html in a browser).`)
    }
    lines.push(...wrap(verdict(assessment.summary), width).map((line) => c.bold(line)))
    return `${lines.join('\n')}\n`
  },
}

/** `--list`: id, group and title of each check, one per line, aligned. */
export function checkList(checks: readonly Pick<AnyCheck, 'id' | 'group' | 'title'>[]): string {
  if (checks.length === 0) return 'No checks are registered.\n'
  const idWidth = Math.max(2, ...checks.map((check) => check.id.length))
  const groupWidth = Math.max(5, ...checks.map((check) => check.group.length))
  const row = (id: string, group: string, title: string) =>
    `${id.padEnd(idWidth)}  ${group.padEnd(groupWidth)}  ${title}`.trimEnd()
  return `${[row('ID', 'GROUP', 'TITLE'), ...checks.map((check) => row(check.id, check.group, check.title))].join('\n')}\n`
}

/** `--riskcheck -v`: one line per risk at or above `minimum`, as `HIGH: Title [id]: message (file:line)`. */
export function riskLines(results: readonly CheckResult[], minimum: RiskLevel): string[] {
  return bySeverity(results).flatMap((result) =>
    result.risks
      .filter((risk) => riskRank(risk.level) >= riskRank(minimum))
      .map((risk) =>
        terminalText(
          `${risk.level.toUpperCase()}: ${result.title} [${result.id}]: ${risk.message}${where(risk.file, risk.line)}`,
        ),
      ),
  )
}
