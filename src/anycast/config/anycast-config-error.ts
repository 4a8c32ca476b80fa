import type { ParseError } from '../../host/parse-error.ts'

/** A config file that cannot be used; every problem found names its `file:line`. */
export class AnycastConfigError extends Error {
  override readonly name = 'AnycastConfigError'
  readonly code = 'PREFLIGHT_ANYCAST_CONFIG'
  constructor(readonly errors: readonly ParseError[]) {
    super(errors.map((error) => error.message).join('\n'))
  }
}
