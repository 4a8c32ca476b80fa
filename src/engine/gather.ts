/**
 * @module
 * Gathers the facts a run needs, each once, dependencies first, concurrently. A collector that
 * throws (unreadable file, corrupt database) becomes a FactFailure; facts that depend on it fail
 * with it, and the checks that need any of them get status error — never a crashed run.
 */
import type { AnyFact, GatherContext } from '../facts/define-fact.ts'
import type { Host } from '../host/host.ts'

export interface FactFailure {
  readonly failed: true
  readonly message: string
}

export type GatheredFact = { readonly failed: false; readonly value: unknown } | FactFailure

export interface FactTiming {
  id: string
  title: string
  ms: number
  error?: string
}

export interface GatherObserver {
  /** Every fact the run will gather, dependencies first, before the first starts ("04/10" progress). */
  factsPlanned?(facts: readonly AnyFact[]): void
  factStarted?(fact: AnyFact): void
  factProgress?(fact: AnyFact, done: number, total: number): void
  factFinished?(fact: AnyFact, timing: FactTiming): void
}

/** All facts `wanted` needs, transitively, in an order where dependencies come first. */
export function factClosure(wanted: Iterable<AnyFact>): AnyFact[] {
  const ordered: AnyFact[] = []
  const seen = new Set<string>()
  const visit = (fact: AnyFact, path: string[]) => {
    if (path.includes(fact.id)) throw new Error(`fact dependency cycle: ${[...path, fact.id].join(' → ')}`)
    if (seen.has(fact.id)) return
    for (const dependency of Object.values(fact.needs) as AnyFact[]) visit(dependency, [...path, fact.id])
    seen.add(fact.id)
    ordered.push(fact)
  }
  for (const fact of wanted) visit(fact, [])
  return ordered
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export async function gatherFacts(
  host: Host,
  wanted: Iterable<AnyFact>,
  observer: GatherObserver = {},
): Promise<{ facts: Map<string, GatheredFact>; timings: FactTiming[] }> {
  const ordered = factClosure(wanted)
  observer.factsPlanned?.(ordered)
  const running = new Map<string, Promise<GatheredFact>>()
  const timings: FactTiming[] = []

  // Every planned fact finishes exactly once, also when a dependency failed, so timings and progress are complete.
  const finish = (fact: AnyFact, started: number, result: GatheredFact): GatheredFact => {
    const timing: FactTiming = { id: fact.id, title: fact.title, ms: Math.round(performance.now() - started) }
    if (result.failed) timing.error = result.message
    timings.push(timing)
    observer.factFinished?.(fact, timing)
    return result
  }

  const gatherOne = async (fact: AnyFact): Promise<GatheredFact> => {
    const dependencies: Record<string, unknown> = {}
    for (const [key, dependency] of Object.entries(fact.needs as Record<string, AnyFact>)) {
      const gathered = await (running.get(dependency.id) as Promise<GatheredFact>)
      if (gathered.failed) {
        const message = `needs ${dependency.title}, which failed: ${gathered.message}`
        return finish(fact, performance.now(), { failed: true, message })
      }
      dependencies[key] = gathered.value
    }
    observer.factStarted?.(fact)
    const context: GatherContext = {
      host,
      progress: (done, total) => observer.factProgress?.(fact, done, total),
    }
    const started = performance.now()
    let result: GatheredFact
    try {
      result = { failed: false, value: await fact.collect(context, dependencies) }
    } catch (error) {
      result = { failed: true, message: errorMessage(error) }
    }
    return finish(fact, started, result)
  }

  for (const fact of ordered) running.set(fact.id, gatherOne(fact))
  const facts = new Map<string, GatheredFact>()
  for (const fact of ordered) facts.set(fact.id, await (running.get(fact.id) as Promise<GatheredFact>))
  return { facts, timings }
}
