/**
 * A SQLite database (or its -wal) that cannot be read: names the file, the page when one is to
 * blame, and what is wrong. Every malformed input the reader meets ends as this error, never as
 * a RangeError, a hang or an allocation sized by an unchecked length field.
 */
export class SqliteFormatError extends Error {
  override readonly name = 'SqliteFormatError'
  readonly code = 'PREFLIGHT_SQLITE_FORMAT'
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly page?: number,
  ) {
    super(page === undefined ? `${file}: ${detail}` : `${file}: page ${page}: ${detail}`)
  }
}
