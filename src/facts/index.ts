/**
 * @module
 * The one list of fact collectors. `Facts` is derived from it, so a check that reads a fact it did
 * not declare is a type error.
 */

import { groups, users } from './accounts.ts'
import type { FactValue } from './define-fact.ts'
import { hostname } from './hostname.ts'
import { osIdentity } from './os-identity.ts'

export const allFacts = {
  osIdentity,
  hostname,
  users,
  groups,
} as const

export type FactId = keyof typeof allFacts
export type Facts = { [K in FactId]: FactValue<(typeof allFacts)[K]> }
