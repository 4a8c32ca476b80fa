/**
 * @module
 * rpm's rules for verifying one file (rpm 4.18 lib/verify.c, rpmfilesVerify and verifyHeader):
 * which attributes the header asks to compare, which ones make sense for what is on disk, what
 * %ghost and %config(missingok) change, and the exact `S.5....T.  c /path` line rpm -Va prints.
 */
import type { DigestAlgorithm, InspectedFile, InspectedStat } from '../../../host/file-inspector.ts'
import type { Host } from '../../../host/host.ts'
import { printablePath } from '../rpm/printable-path.ts'
import type { RpmFile } from '../rpm/rpm-package.ts'
import { fileFlags, fileFlagsString, fileStates, verifyFlags } from '../rpm/tags.ts'
import { type FileVerdict, missingLine, type VerifyColumn } from './file-verdict.ts'
import type { VerifyRules } from './verify-files.ts'

export interface RpmVerifyEntry {
  file: RpmFile
  /** `name-[epoch:]version-release.arch`. */
  package: string
  /** node:crypto name of the package's file digest algorithm; undefined when rpm defines none by its id. */
  algorithm: DigestAlgorithm | undefined
}

/** Account names as the assessed root resolves them (its /etc/passwd and /etc/group). */
export interface AccountIds {
  uid(name: string): number | undefined
  gid(name: string): number | undefined
}

/** rpm's failure bits beside the RPMVERIFY_* attributes (rpmVerifyAttrs). */
const failed = {
  READLINK: 1 << 28,
  READ: 1 << 29,
  LSTAT: 1 << 30,
} as const

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000
const S_IFBLK = 0o060000
const S_ISUID = 0o4000
const S_ISGID = 0o2000

/** rpm verifies nothing of files it never put on disk (excluded docs, other languages, netshared paths). */
function neverInstalled(file: RpmFile): boolean {
  return file.state === fileStates.NOTINSTALLED || file.state === fileStates.NETSHARED
}

/** The attributes rpm compares for this file given what is on disk (rpmfilesVerify's flag masking). */
function attributesToCheck(file: RpmFile, found: InspectedStat, omit: number): number {
  let flags = file.verifyFlags
  if (file.state === fileStates.REPLACED) flags = 0
  if (file.state === fileStates.WRONGCOLOR)
    flags &= ~(verifyFlags.FILEDIGEST | verifyFlags.FILESIZE | verifyFlags.MTIME | verifyFlags.RDEV)
  const type = found.mode & S_IFMT
  if (type === S_IFLNK) flags &= ~verifyFlags.MODE
  else flags &= ~verifyFlags.LINKTO
  if (type !== S_IFREG)
    flags &= ~(verifyFlags.FILEDIGEST | verifyFlags.FILESIZE | verifyFlags.MTIME | verifyFlags.CAPS)
  if (file.flags & fileFlags.GHOST)
    flags &= ~(verifyFlags.FILEDIGEST | verifyFlags.FILESIZE | verifyFlags.MTIME | verifyFlags.LINKTO)
  return flags & ~omit
}

/** The owner rpm expects: 'root' is 0 without a lookup, an unknown name falls back to 0. */
function expectedId(name: string, lookup: (name: string) => number | undefined): number | undefined {
  if (name === '' || name === 'root') return 0
  return lookup(name)
}

function isDevice(mode: number): boolean {
  const type = mode & S_IFMT
  return type === S_IFCHR || type === S_IFBLK
}

/** rpm's attribute string: a letter where the attribute differs, '?' where it could not be read. */
function attributeString(result: number): string {
  const letter = (bit: number, c: string) => (result & bit ? c : '.')
  return [
    letter(verifyFlags.FILESIZE, 'S'),
    letter(verifyFlags.MODE, 'M'),
    result & failed.READ ? '?' : letter(verifyFlags.FILEDIGEST, '5'),
    letter(verifyFlags.RDEV, 'D'),
    result & failed.READLINK ? '?' : letter(verifyFlags.LINKTO, 'L'),
    letter(verifyFlags.USER, 'U'),
    letter(verifyFlags.GROUP, 'G'),
    letter(verifyFlags.MTIME, 'T'),
    letter(verifyFlags.CAPS, 'P'),
  ].join('')
}

const columnBits: [VerifyColumn, number][] = [
  ['S', verifyFlags.FILESIZE],
  ['M', verifyFlags.MODE],
  ['5', verifyFlags.FILEDIGEST],
  ['D', verifyFlags.RDEV],
  ['L', verifyFlags.LINKTO],
  ['U', verifyFlags.USER],
  ['G', verifyFlags.GROUP],
  ['T', verifyFlags.MTIME],
  ['P', verifyFlags.CAPS],
]

/** The state rpm appends in parentheses (stateStr without -v). */
function stateNote(state: number | undefined): string | undefined {
  if (state === undefined) return 'no state'
  if (state === fileStates.REPLACED) return 'replaced'
  if (state === fileStates.NORMAL || state === fileStates.NOTINSTALLED) return undefined
  if (state === fileStates.NETSHARED || state === fileStates.WRONGCOLOR) return undefined
  return 'unknown state'
}

export interface RpmVerifyOptions {
  /** RPMVERIFY_* bits not to compare (rpm's --nomd5, --nomtime, …). @default 0 */
  omit?: number
  /**
   * Whether more than one installed package owns the path: rpm ignores mtime differences of
   * shared files. Asked only for files whose mtime differs. @default () => false
   */
  sharedPath?(path: Buffer): boolean
}

/** The rules the verify engine applies to rpm entries. `host` follows a symlinked directory. */
export function rpmVerifyRules(
  host: Host,
  ids: AccountIds,
  options: RpmVerifyOptions = {},
): VerifyRules<RpmVerifyEntry> {
  const omit = options.omit ?? 0
  const shared = options.sharedPath ?? (() => false)
  return {
    // The stored bytes, UTF-8 or not: rpm lstats exactly those.
    hostPath: ({ file }) => (neverInstalled(file) ? undefined : (file.path ?? null)),
    digestFor({ file, algorithm }, stat) {
      const wanted = attributesToCheck(file, stat, omit) & verifyFlags.FILEDIGEST
      // A different size already means a different digest: rpm prints 5 either way.
      if (!wanted || file.digest === '' || stat.size !== file.size) return undefined
      return algorithm
    },
    async judge(entry, found) {
      if (neverInstalled(entry.file)) return undefined
      const stat = found?.stat && (await directoryBehindLink(host, entry.file, found.stat))
      const result = stat ? compare(entry, found as InspectedFile, stat, ids, omit, shared) : failed.LSTAT
      return verdictOf(entry, result, found?.error ?? 'ENOENT')
    },
  }
}

/**
 * rpm accepts a symlink where it expects a directory when the link points to a directory and is
 * owned by root or by the directory's owner (what the installer itself accepts).
 */
async function directoryBehindLink(host: Host, file: RpmFile, found: InspectedStat): Promise<InspectedStat> {
  if ((file.mode & S_IFMT) !== S_IFDIR || found.kind !== 'symlink') return found
  const target = file.path === undefined ? undefined : await host.stat(file.path)
  if (target?.kind !== 'directory' || (found.uid !== 0 && found.uid !== target.uid)) return found
  return { ...target, mtimeSeconds: Math.floor(target.mtimeMs / 1000), rdev: 0, nlink: 1 }
}

function compare(
  { file, algorithm }: RpmVerifyEntry,
  found: InspectedFile,
  stat: InspectedStat,
  ids: AccountIds,
  omit: number,
  shared: (path: Buffer) => boolean,
): number {
  const flags = attributesToCheck(file, stat, omit)
  let result = 0
  if (flags & verifyFlags.FILEDIGEST) {
    if (file.digest === '' || stat.size !== file.size) result |= verifyFlags.FILEDIGEST
    else if (found.digest !== undefined) {
      if (found.digest !== file.digest.toLowerCase()) result |= verifyFlags.FILEDIGEST
    } else if (found.digestError !== undefined || algorithm === undefined) {
      result |= failed.READ | verifyFlags.FILEDIGEST
    }
  }
  if (flags & verifyFlags.LINKTO) {
    if (found.linkTarget === undefined) result |= failed.READLINK | verifyFlags.LINKTO
    else if (!found.linkTarget.equals(file.linkTo)) result |= verifyFlags.LINKTO
  }
  if (flags & verifyFlags.FILESIZE && stat.size !== file.size) result |= verifyFlags.FILESIZE

  const uid = expectedId(file.user, ids.uid)
  const gid = expectedId(file.group, ids.gid)
  if (flags & verifyFlags.MODE) {
    // rpm installs a file of an unknown owner as root and drops its set-id bit; it expects the same.
    let expected = file.mode & 0xffff
    if (uid === undefined) expected &= ~S_ISUID
    if (gid === undefined) expected &= ~S_ISGID
    let actual = stat.mode
    if (file.flags & fileFlags.GHOST) {
      expected &= ~S_IFMT
      actual &= ~S_IFMT
    }
    if (expected !== actual) result |= verifyFlags.MODE
  }
  if (flags & verifyFlags.RDEV) {
    const sameType =
      ((file.mode & S_IFMT) === S_IFCHR) === ((stat.mode & S_IFMT) === S_IFCHR) &&
      ((file.mode & S_IFMT) === S_IFBLK) === ((stat.mode & S_IFMT) === S_IFBLK)
    if (!sameType) result |= verifyFlags.RDEV
    else if (isDevice(file.mode) && isDevice(stat.mode) && (stat.rdev & 0xffff) !== (file.rdev & 0xffff))
      result |= verifyFlags.RDEV
  }
  if (flags & verifyFlags.MTIME && stat.mtimeSeconds !== file.mtime && !(file.path && shared(file.path)))
    result |= verifyFlags.MTIME
  if (flags & verifyFlags.USER && stat.uid !== (uid ?? 0)) result |= verifyFlags.USER
  if (flags & verifyFlags.GROUP && stat.gid !== (gid ?? 0)) result |= verifyFlags.GROUP
  return result
}

function verdictOf(entry: RpmVerifyEntry, result: number, errno: string): FileVerdict | undefined {
  const { file } = entry
  const path = file.path === undefined ? '(none)' : printablePath(file.path)
  const marker = fileFlagsString(file.flags)[0] ?? ' '
  const config = (file.flags & fileFlags.CONFIG) !== 0
  const optional = (file.flags & (fileFlags.MISSINGOK | fileFlags.GHOST)) !== 0
  const base = { package: entry.package, path, config }
  const note = stateNote(file.state)
  const suffix = note ? ` (${note})` : ''
  if (result & failed.LSTAT) {
    // Absent %ghost and %config(missingok) files are expected; rpm shows them only with -v.
    if (optional) return undefined
    const line = `${missingLine(marker, path, errno)}${suffix}`
    return { ...base, line, missing: true, changed: [], unknown: [], problem: true }
  }
  if (result === 0 && note === undefined) return undefined
  const changed = columnBits.filter(([, bit]) => result & bit).map(([column]) => column)
  const unknown: VerifyColumn[] = []
  if (result & failed.READ) unknown.push('5')
  if (result & failed.READLINK) unknown.push('L')
  return {
    ...base,
    line: `${attributeString(result)}  ${marker} ${path}${suffix}`,
    missing: false,
    changed: changed.filter((column) => !unknown.includes(column)),
    unknown,
    problem: result !== 0,
  }
}
