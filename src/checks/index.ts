/**
 * @module
 * The one explicit list of checks, in catalogue order (the order of the gathering progress and of
 * ties in the result table). Adding a check is one file and one line here.
 */
import type { AnyCheck } from './define-check.ts'

export const allChecks: readonly AnyCheck[] = []
