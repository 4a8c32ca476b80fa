/**
 * An rpm database or header that cannot be read: names the file (a host path, with the header
 * instance when one header is at fault) and what is wrong with it.
 */
export class RpmdbError extends Error {
  override readonly name = 'RpmdbError'
  readonly code = 'PREFLIGHT_RPMDB'
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`)
  }
}
