/**
 * @module
 * The result vocabulary, exactly the Preupgrade Assistant's: statuses, risk levels and how a
 * failing check's status follows its highest risk (PA report_parser / "How modules affect the
 * Preupgrade Assistant return code").
 */

/** Risk levels, lowest first. Extreme: an in-place upgrade is impossible. */
export const riskLevels = ['slight', 'medium', 'high', 'extreme'] as const
export type RiskLevel = (typeof riskLevels)[number]

/** What a check itself may return; needs_inspection/needs_action are derived from its risks. */
const outcomeStatuses = ['pass', 'fail', 'error', 'informational', 'notapplicable', 'fixed'] as const
export type OutcomeStatus = (typeof outcomeStatuses)[number]

/** Final statuses in report order, most severe first (PA settings.ORDERED_LIST). */
export const statuses = [
  'error',
  'fail',
  'needs_action',
  'needs_inspection',
  'fixed',
  'informational',
  'notapplicable',
  'pass',
] as const
export type Status = (typeof statuses)[number]

export interface Risk {
  level: RiskLevel
  message: string
  /** Host path the risk is about, when there is one. */
  file?: string
  /** 1-based line in `file`. */
  line?: number
}

export interface CheckOutcome {
  status: OutcomeStatus
  risks: Risk[]
  /** What the administrator should do, built from the findings (never a static text that may lie). */
  solution?: string
  /** Informational lines: what was looked at, what was found. */
  messages: string[]
}

export function riskRank(level: RiskLevel): number {
  return riskLevels.indexOf(level)
}

export function statusRank(status: Status): number {
  return statuses.indexOf(status)
}

export function highestRisk(risks: readonly Risk[]): RiskLevel | undefined {
  let best: RiskLevel | undefined
  for (const risk of risks) if (best === undefined || riskRank(risk.level) > riskRank(best)) best = risk.level
  return best
}

/**
 * A failing check's status follows its highest risk: slight/medium → needs_inspection, high →
 * needs_action, extreme → fail. A fail with no risk, or a passing status that logged a risk, is a
 * broken check and reported as error (the PA wiki's rule) so it can never hide a problem.
 */
export function finalStatus(outcome: Pick<CheckOutcome, 'status' | 'risks'>): {
  status: Status
  problem?: string
} {
  const top = highestRisk(outcome.risks)
  if (outcome.status === 'fail') {
    if (top === undefined) return { status: 'error', problem: 'the check failed without stating a risk' }
    if (top === 'extreme') return { status: 'fail' }
    if (top === 'high') return { status: 'needs_action' }
    return { status: 'needs_inspection' }
  }
  if (outcome.status !== 'error' && top !== undefined) {
    return { status: 'error', problem: `the check returned ${outcome.status} but stated a ${top} risk` }
  }
  return { status: outcome.status }
}

// Outcome builders: the only way checks say what they found.

export function pass(...messages: string[]): CheckOutcome {
  return { status: 'pass', risks: [], messages }
}

export function informational(...messages: string[]): CheckOutcome {
  return { status: 'informational', risks: [], messages }
}

export function notApplicable(reason: string): CheckOutcome {
  return { status: 'notapplicable', risks: [], messages: [reason] }
}

export function fail(risks: [Risk, ...Risk[]], solution: string, messages: string[] = []): CheckOutcome {
  return { status: 'fail', risks, solution, messages }
}

export function risk(level: RiskLevel, message: string, where: { file?: string; line?: number } = {}): Risk {
  return { level, message, ...where }
}

/** For checks that collect findings as they go: fail with them and the solution steps, or pass with the messages. */
export function outcomeFromRisks(risks: Risk[], solutions: string[], messages: string[]): CheckOutcome {
  const [first, ...rest] = risks
  return first ? fail([first, ...rest], solutions.join('\n'), messages) : pass(...messages)
}

/** Like outcomeFromRisks, for checks with one solution text whose pass leads with a summary line. */
export function passOrFail(
  risks: Risk[],
  summary: string,
  solution: string,
  messages: string[] = [],
): CheckOutcome {
  const [first, ...rest] = risks
  return first ? fail([first, ...rest], solution, messages) : pass(summary, ...messages)
}
