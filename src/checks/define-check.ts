/**
 * @module
 * A check is one definition object: what it is (id, title, group, description), what it reads
 * (`needs`), when it applies, and a pure `run` from facts to an outcome. Checks never touch the
 * host; the engine gathers what they declare and gives them nothing else.
 */
import type { FactId, Facts } from '../facts/index.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import type { CheckOutcome } from './result.ts'

/** The release the host is to be upgraded to. */
export interface TargetRelease {
  distro: string
  major: number
  /** As the user gave it or as derived ('7', '13'). */
  version: string
  codename?: string
}

export interface CheckContext {
  /** The assessed system's identity (always gathered). */
  os: OsIdentity
  target: TargetRelease
}

export const checkGroups = {
  system: 'System',
  network: 'Networking',
  services: 'Services',
  packages: 'Packages',
  repositories: 'Repositories',
  security: 'Security',
  desktop: 'Desktop',
} as const
export type CheckGroup = keyof typeof checkGroups

export interface Check<N extends FactId = FactId> {
  /** `group.kebab-name`; stable across rewordings of the title, used by --select/--skip and reports. */
  readonly id: string
  readonly title: string
  readonly group: CheckGroup
  /** What breaks after the upgrade and why it matters; shown in the HTML report. */
  readonly description: string
  readonly needs: readonly N[]
  /** Undefined when it applies; otherwise the reason it does not (status notapplicable). */
  appliesTo?(facts: Pick<Facts, N>, context: CheckContext): string | undefined
  run(facts: Pick<Facts, N>, context: CheckContext): CheckOutcome | Promise<CheckOutcome>
  /** Per-check time limit. @default 10_000 */
  readonly timeoutMs?: number
}

export function defineCheck<const N extends FactId>(check: Check<N>): Check<N> {
  return check
}

/** A check of any needs, as the engine holds them. */
// biome-ignore lint/suspicious/noExplicitAny: variance: a Check<'a'> must be storable with Check<'b'>
export type AnyCheck = Check<any>
