import type { Summary } from '../engine/assessment.ts'

/**
 * The exit code and what it means for this run, in one sentence: the line most users read (Leapp
 * PR #858), so it names the reason, not just the number.
 */
export function verdict(summary: Summary): string {
  const { counts, exitCode } = summary
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0)
  if (total === 0) return 'Exit code 0: no checks ran, so nothing was assessed.'
  if (exitCode === 2) {
    if (counts.fail === 0 && summary.highestRisk !== 'extreme') {
      return `Exit code 2: ${plural(counts.error, 'check')} could not give an answer (error), so the risk is unknown: fix the cause and assess again.`
    }
    return 'Exit code 2: extreme risk or a failed check: do not upgrade in place until these are resolved.'
  }
  if (exitCode === 1) return 'Exit code 1: high risk: resolve the needs_action results before upgrading.'
  if (counts.needs_inspection > 0) {
    return `Exit code 0: at most medium risk: review the ${plural(counts.needs_inspection, 'needs_inspection result')}, then the upgrade may go ahead.`
  }
  return `Exit code 0: no risk found by the ${plural(total, 'check')} that ran.`
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
