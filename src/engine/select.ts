import type { AnyCheck } from '../checks/define-check.ts'

/** A selector names a check id ('network.ssh-slow-login') or a whole group ('network'). */
function matches(check: AnyCheck, selector: string): boolean {
  return check.id === selector || check.group === selector
}

export class UnknownCheckError extends Error {
  override readonly name = 'UnknownCheckError'
}

/** --select narrows, --skip removes; a selector that names nothing is an error, not a silent empty run. */
export function selectChecks(
  checks: readonly AnyCheck[],
  options: { select?: readonly string[]; skip?: readonly string[] },
): AnyCheck[] {
  for (const selector of [...(options.select ?? []), ...(options.skip ?? [])]) {
    if (!checks.some((check) => matches(check, selector))) {
      throw new UnknownCheckError(`no check or group named '${selector}' (see --list)`)
    }
  }
  const select = options.select ?? []
  return checks.filter(
    (check) =>
      (select.length === 0 || select.some((s) => matches(check, s))) &&
      !(options.skip ?? []).some((s) => matches(check, s)),
  )
}
