/**
 * @module
 * A fact is gathered once per run by its collector and handed, typed, to every check that needs
 * it. Collectors read only through the Host; a collector may depend on other facts (the KVIrc
 * server lists need the users' home directories), and the gatherer resolves that order.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'

export interface GatherContext {
  readonly host: Host
  /** Long collectors report how far they are; the CLI turns this into a progress bar on a TTY. */
  progress(done: number, total: number): void
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of facts of every value type
export type AnyFact = FactDefinition<string, any, any>

export type FactValue<F> = F extends FactDefinition<string, infer T, infer _D> ? T : never

export type FactValues<D extends Record<string, AnyFact>> = { [K in keyof D]: FactValue<D[K]> }

export interface FactDefinition<Id extends string, T, D extends Record<string, AnyFact>> {
  /** Key in the facts map and in facts.json; camelCase, stable. */
  readonly id: Id
  /** Shown in the gathering progress ("All users : 04/10 ...finished"). */
  readonly title: string
  /** Facts this collector reads; they are gathered first. */
  readonly needs: D
  collect(context: GatherContext, needs: FactValues<D>): Promise<T>
}

export function defineFact<
  Id extends string,
  T,
  D extends Record<string, AnyFact> = Record<never, AnyFact>,
>(definition: {
  id: Id
  title: string
  needs?: D
  collect(context: GatherContext, needs: FactValues<D>): Promise<T>
}): FactDefinition<Id, T, D> {
  return { ...definition, needs: definition.needs ?? ({} as D) }
}

/** A fact that carries parse warnings has `warnings: ParseWarning[]`; the engine attaches them to the checks that read it. */
export function factWarnings(value: unknown): ParseWarning[] {
  if (value && typeof value === 'object' && 'warnings' in value && Array.isArray(value.warnings)) {
    return value.warnings as ParseWarning[]
  }
  return []
}
