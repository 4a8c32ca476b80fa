/**
 * @module
 * The assessment: everything one run learned, as plain JSON-safe data. It is the JSON report
 * (schema documented in docs/report-format.md), the input of every renderer, and what
 * `--riskcheck`, `fix` and the fleet server read back.
 */
import type { TargetRelease } from '../checks/define-check.ts'
import type { Risk, RiskLevel, Status } from '../checks/result.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import type { FactTiming } from './gather.ts'

/** Bumped on any incompatible change to this shape; readers refuse newer majors. */
export const reportSchemaVersion = 1

export interface CheckResult {
  id: string
  title: string
  /** One of `checkGroups` when this version wrote it; a report of a newer version may name a group this one does not know. */
  group: string
  description: string
  status: Status
  risks: Risk[]
  solution?: string
  messages: string[]
  /** Malformed lines in the files this check read, with file and line. */
  warnings: ParseWarning[]
  /** Why the check could not give an answer (status error). */
  error?: string
  ms: number
}

export interface HostIdentity {
  hostname: string
  /** '/' for the live system, otherwise the offline root that was assessed. */
  root: string
  live: boolean
  os: OsIdentity
}

export interface Selection {
  select: string[]
  skip: string[]
  strict: boolean
}

export interface Summary {
  counts: Record<Status, number>
  highestRisk?: RiskLevel
  /** 0, 1 or 2 as `preupg --riskcheck`: see riskExitCode. */
  exitCode: 0 | 1 | 2
}

export interface Assessment {
  schemaVersion: typeof reportSchemaVersion
  tool: { name: 'preflight'; version: string }
  /** Stable per run: the archive name and the server's run key. */
  runId: string
  host: HostIdentity
  target?: TargetRelease
  /** How the run was narrowed (--select, --skip, --strict), so a reader knows what was not assessed. */
  selection: Selection
  startedAt: string
  finishedAt: string
  timings: { totalMs: number; factsMs: number; checksMs: number; facts: FactTiming[] }
  summary: Summary
  results: CheckResult[]
}
