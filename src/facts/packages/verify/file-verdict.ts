/**
 * @module
 * What verifying one packaged file found, in a shape shared by the rpm and dpkg rules: the line
 * exactly as `rpm -Va` / `dpkg --verify` print it, and the same facts as data for JSON and checks.
 */

/** The attribute letters of a verify line, in column order (rpm's `SM5DLUGTP`). */
export const verifyColumns = ['S', 'M', '5', 'D', 'L', 'U', 'G', 'T', 'P'] as const
export type VerifyColumn = (typeof verifyColumns)[number]

export interface FileVerdict {
  /** The package the file belongs to, as the tool names it (`name-[epoch:]version-release.arch`, dpkg: name[:arch]). */
  package: string
  /** The path as printed (bytes that are not UTF-8 escaped as `\xNN`). */
  path: string
  /** The line `rpm -Va` or `dpkg --verify` prints for this file, without the newline. */
  line: string
  /** The file is absent (or could not be looked at: see `line`). */
  missing: boolean
  /** Columns whose attribute differs from the database. */
  changed: VerifyColumn[]
  /** Columns that could not be checked (printed `?` by rpm; dpkg prints `?` for every column it never checks and lists none here). */
  unknown: VerifyColumn[]
  /** The file is a configuration file (rpm %config, dpkg conffile). */
  config: boolean
  /**
   * Counts as a change for the exit status: rpm does not count absent %ghost and
   * %config(missingok) files (and prints them only with -v), nor lines that only carry a state.
   */
  problem: boolean
}

/** rpm's and dpkg's `(reason)` after a path that could not be looked at, as strerror(3) words the errno. */
const errnoTexts: Record<string, string> = {
  EACCES: 'Permission denied',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ENOTDIR: 'Not a directory',
  EIO: 'Input/output error',
  EPERM: 'Operation not permitted',
  EOVERFLOW: 'Value too large for defined data type',
}

/** `' (Not a directory)'` for an lstat error other than ENOENT, as both tools append it; '' for ENOENT. */
export function errnoSuffix(code: string): string {
  if (code === 'ENOENT') return ''
  return ` (${errnoTexts[code] ?? code})`
}

/** rpm's and dpkg's line for a file that is not there: `missing   c /etc/foo`. */
export function missingLine(marker: string, path: string, errno: string): string {
  return `missing   ${marker} ${path}${errnoSuffix(errno)}`
}
