/**
 * @module
 * One assessment run: pick the checks, gather the facts they declare (plus the OS identity),
 * run every check with a time limit, derive statuses from risks and summarise. Knows `Check`,
 * never a particular check.
 */
import os from 'node:os'
import { resolveTarget } from '../checks/data/releases.ts'
import type { AnyCheck, CheckContext, TargetRelease } from '../checks/define-check.ts'
import { type CheckOutcome, finalStatus, notApplicable } from '../checks/result.ts'
import { type AnyFact, factWarnings } from '../facts/define-fact.ts'
import { allFacts, type FactId } from '../facts/index.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import type { Host } from '../host/host.ts'
import { type Assessment, type CheckResult, reportSchemaVersion } from './assessment.ts'
import { type GatheredFact, type GatherObserver, gatherFacts } from './gather.ts'
import { summarize } from './risk.ts'
import { selectChecks } from './select.ts'
import { toolVersion } from './version.ts'

export interface AssessOptions {
  /** Check ids or groups to run; all when empty. */
  select?: readonly string[]
  /** Check ids or groups to leave out. */
  skip?: readonly string[]
  /** Target release ('7', '13', 'trixie'). @default the next major of the assessed system */
  target?: string
  /** Turn parse warnings into check errors. @default false */
  strict?: boolean
  /** Time limit for one check. @default 10_000 */
  checkTimeoutMs?: number
  /** Facts to gather for facts.json though no selected check reads them (e.g. every changed file). */
  gatherAlso?: readonly FactId[]
  observer?: AssessObserver
  /** @default () => new Date() */
  now?: () => Date
}

export interface AssessObserver extends GatherObserver {
  checksStarted?(total: number): void
  checkFinished?(result: CheckResult, index: number, total: number): void
}

export interface AssessRun {
  assessment: Assessment
  /** Gathered fact values by id (failed facts hold their error), for facts.json in the archive. */
  facts: Record<string, unknown>
}

const defaultCheckTimeoutMs = 10_000

class CheckTimeoutError extends Error {}

function withTimeout<T>(work: () => T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([Promise.resolve().then(work), limit]).finally(() => clearTimeout(timer))
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

async function runCheck(
  check: AnyCheck,
  facts: Map<string, GatheredFact>,
  context: CheckContext | undefined,
  options: AssessOptions,
): Promise<CheckResult> {
  const started = performance.now()
  const base = { id: check.id, title: check.title, group: check.group, description: check.description }
  const finish = (partial: Omit<CheckResult, keyof typeof base | 'ms'>): CheckResult => ({
    ...base,
    ...partial,
    ms: Math.round(performance.now() - started),
  })
  const asError = (error: string, warnings: CheckResult['warnings'] = []) =>
    finish({ status: 'error', risks: [], messages: [], warnings, error })

  const inputs: Record<string, unknown> = {}
  const warnings: CheckResult['warnings'] = []
  for (const need of check.needs as FactId[]) {
    const gathered = facts.get(need)
    if (!gathered) return asError(`fact ${need} was not gathered`)
    if (gathered.failed) return asError(`${allFacts[need].title}: ${gathered.message}`)
    inputs[need] = gathered.value
    warnings.push(...factWarnings(gathered.value))
  }
  if (!context) return asError('the assessed system could not be identified, so there is no target release')
  if (options.strict && warnings.length > 0) {
    return asError(`${warnings.length} malformed line(s) in the files this check reads (--strict)`, warnings)
  }
  try {
    const reason = check.appliesTo?.(inputs as never, context)
    const outcome: CheckOutcome =
      reason !== undefined
        ? notApplicable(reason)
        : await withTimeout(
            () => check.run(inputs as never, context),
            check.timeoutMs ?? options.checkTimeoutMs ?? defaultCheckTimeoutMs,
          )
    const { status, problem } = finalStatus(outcome)
    return finish({
      status,
      risks: outcome.risks,
      ...(outcome.solution ? { solution: outcome.solution } : {}),
      messages: outcome.messages,
      warnings,
      ...(problem ? { error: problem } : {}),
    })
  } catch (error) {
    return asError(
      error instanceof CheckTimeoutError ? error.message : `the check crashed: ${errorMessage(error)}`,
      warnings,
    )
  }
}

function hostnameOf(facts: Map<string, GatheredFact>, host: Host): string {
  const gathered = facts.get('hostname')
  if (gathered && !gathered.failed && typeof gathered.value === 'string' && gathered.value)
    return gathered.value
  return host.live ? os.hostname() : host.root
}

function runIdOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return [
    pad(date.getFullYear() % 100),
    pad(date.getMonth() + 1),
    pad(date.getDate()),
    pad(date.getHours()),
    pad(date.getMinutes()),
    pad(date.getSeconds()),
  ].join('')
}

export async function assess(
  host: Host,
  checks: readonly AnyCheck[],
  options: AssessOptions = {},
): Promise<AssessRun> {
  const now = options.now ?? (() => new Date())
  const startedAt = now()
  const started = performance.now()
  const selected = selectChecks(checks, options)
  const wanted = new Set<AnyFact>([allFacts.osIdentity, allFacts.hostname])
  for (const check of selected) for (const need of check.needs as FactId[]) wanted.add(allFacts[need])
  for (const extra of options.gatherAlso ?? []) wanted.add(allFacts[extra])

  const { facts, timings } = await gatherFacts(host, wanted, options.observer)
  const factsMs = Math.round(performance.now() - started)

  const osFact = facts.get('osIdentity')
  const osIdentity = osFact && !osFact.failed ? (osFact.value as OsIdentity) : undefined
  const target: TargetRelease | undefined = osIdentity && resolveTarget(osIdentity, options.target)
  const context = osIdentity && target ? { os: osIdentity, target } : undefined

  const checksStarted = performance.now()
  options.observer?.checksStarted?.(selected.length)
  let finished = 0
  const results = await Promise.all(
    selected.map(async (check) => {
      const result = await runCheck(check, facts, context, options)
      options.observer?.checkFinished?.(result, ++finished, selected.length)
      return result
    }),
  )
  const checksMs = Math.round(performance.now() - checksStarted)

  const assessment: Assessment = {
    schemaVersion: reportSchemaVersion,
    tool: { name: 'preflight', version: toolVersion },
    runId: runIdOf(startedAt),
    host: {
      hostname: hostnameOf(facts, host),
      root: host.root,
      live: host.live,
      os: osIdentity ?? { distro: 'unknown', family: 'unknown', name: 'unknown', version: '' },
    },
    ...(target ? { target } : {}),
    selection: {
      select: [...(options.select ?? [])],
      skip: [...(options.skip ?? [])],
      strict: !!options.strict,
    },
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    timings: { totalMs: Math.round(performance.now() - started), factsMs, checksMs, facts: timings },
    summary: summarize(results),
    results,
  }
  const factValues: Record<string, unknown> = {}
  for (const [id, gathered] of facts)
    factValues[id] = gathered.failed ? { error: gathered.message } : gathered.value
  return { assessment, facts: factValues }
}
