import type { AssessRun } from '../engine/assess.ts'

/** Version of facts.json's envelope; the fact values inside follow their collectors' types. */
const factsFormatVersion = 1

/**
 * facts.json: what the run gathered, for a later look at why a check decided as it did. Failed
 * facts are listed apart from the values, so a fact whose value has an `error` field stays unambiguous.
 */
export function factsJson(run: AssessRun): string {
  const failed: Record<string, string> = {}
  for (const timing of run.assessment.timings.facts)
    if (timing.error !== undefined) failed[timing.id] = timing.error
  const facts = Object.fromEntries(Object.entries(run.facts).filter(([id]) => !(id in failed)))
  const envelope = { formatVersion: factsFormatVersion, runId: run.assessment.runId, facts, failed }
  return `${JSON.stringify(envelope, jsonSafe, 2)}\n`
}

/** Collectors return plain data, but a stray Map, Set or bigint must not cost the run its files. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Map) return Object.fromEntries(value)
  if (value instanceof Set) return [...value]
  return value
}
