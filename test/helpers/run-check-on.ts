import assert from 'node:assert/strict'
import type { AnyCheck } from '../../src/checks/define-check.ts'
import { type AssessOptions, assess } from '../../src/engine/assess.ts'
import type { CheckResult } from '../../src/engine/assessment.ts'
import { openHost } from '../../src/host/host.ts'

/** Assesses the offline root at `root` with `check` alone, through the real engine, and returns its result. */
export async function runCheckOn(
  check: AnyCheck,
  root: string,
  options: AssessOptions = {},
): Promise<CheckResult> {
  const { assessment } = await assess(openHost({ root }), [check], options)
  const [result] = assessment.results
  assert.ok(result, `${check.id} was not run`)
  return result
}
