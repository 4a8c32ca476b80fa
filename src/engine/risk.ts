/**
 * @module
 * From results to the one number a script acts on, as `preupg --riskcheck`: 0 — at most medium
 * risk (needs_inspection and below); 1 — high risk or needs_action; 2 — extreme risk, fail or error.
 */
import { highestRisk, type RiskLevel, type Status, statuses, statusRank } from '../checks/result.ts'
import type { CheckResult, Summary } from './assessment.ts'

export function riskExitCode(results: readonly Pick<CheckResult, 'status' | 'risks'>[]): 0 | 1 | 2 {
  let code: 0 | 1 | 2 = 0
  for (const result of results) {
    const top = highestRisk(result.risks)
    if (result.status === 'error' || result.status === 'fail' || top === 'extreme') return 2
    if (result.status === 'needs_action' || top === 'high') code = 1
  }
  return code
}

export function summarize(results: readonly CheckResult[]): Summary {
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<Status, number>
  for (const result of results) counts[result.status]++
  const top: RiskLevel | undefined = highestRisk(results.flatMap((r) => r.risks))
  return { counts, ...(top ? { highestRisk: top } : {}), exitCode: riskExitCode(results) }
}

/** Most severe first; ties keep the catalogue order. */
export function bySeverity(results: readonly CheckResult[]): CheckResult[] {
  return results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => statusRank(a.result.status) - statusRank(b.result.status) || a.index - b.index)
    .map(({ result }) => result)
}
