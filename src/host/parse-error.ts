/**
 * A malformed line in a host file. Parsers collect these as warnings on their fact instead of
 * throwing, so one bad line never hides the rest of the file; `--strict` turns them into errors.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError'
  readonly code = 'PREFLIGHT_PARSE'
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`)
  }
}

/** A parse problem as it travels in facts and reports (plain data, JSON-safe). */
export interface ParseWarning {
  file: string
  line: number
  message: string
}

export function toWarning(error: ParseError): ParseWarning {
  return { file: error.file, line: error.line, message: error.detail }
}
