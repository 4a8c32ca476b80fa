/**
 * @module
 * The file side of dpkg's database, read as dpkg 1.21 reads it: `info/<pkg>.list` (every path a
 * package installed, directories included), `info/<pkg>.md5sums` (digests of the non-conffiles),
 * `info/format` (whether Multi-Arch: same packages use `<pkg>:<arch>.*` names) and `diversions`
 * (three-line records: the path, where it is diverted to, the diverting package or ':' for a
 * local diversion).
 *
 * dpkg stores paths as bytes, UTF-8 or not. `dpkgFiles` keeps them as byte strings (one latin1
 * character per byte, lines split on 0x0a: see `toByteString`), so a name that is not UTF-8
 * reaches the host intact.
 */
import { isUtf8 } from 'node:buffer'
import type { Host } from '../../../host/host.ts'
import type { ParseWarning } from '../../../host/parse-error.ts'
import { printablePath } from '../rpm/printable-path.ts'
import type { DpkgPackage } from './dpkg-status.ts'

/**
 * A byte-string path as our lines print it: a UTF-8 name exactly as dpkg prints it; a name that
 * is not UTF-8 (dpkg prints its raw bytes) as rpm lines print one, each such byte as `\xNN`.
 */
export function dpkgPrintablePath(bytes: string): string {
  const raw = Buffer.from(bytes, 'latin1')
  return isUtf8(raw) ? raw.toString('utf8') : printablePath(raw)
}

export const dpkgAdminDir = '/var/lib/dpkg'

export interface DpkgDiversion {
  /** The path packages ship. */
  from: string
  /** Where the shipped file is put instead. */
  to: string
  /** The package that may still install `from` itself; undefined for a local diversion. */
  package: string | undefined
}

/**
 * A path as dpkg's file table keys it: leading slashes and `./` pairs skipped, one slash added
 * (fsys_hash_find_node). A trailing slash has been stripped by the caller where dpkg strips it.
 */
export function dpkgNodeName(path: string): string {
  // The common case (a list line) is already in this form: no new string.
  if (path[0] === '/' && path[1] !== '/' && !(path[1] === '.' && path[2] === '/')) return path
  let start = 0
  while (path[start] === '/' || (path[start] === '.' && path[start + 1] === '/')) start++
  return `/${path.slice(start)}`
}

function linesOf(text: string, file: string, warnings: ParseWarning[]): string[] {
  const lines = text.split('\n')
  const last = lines.pop()
  if (last !== '') {
    warnings.push({ file, line: lines.length + 1, message: 'missing final newline' })
    lines.push(last as string)
  }
  return lines
}

/** The paths of a `.list` file, in file order (the order dpkg --verify checks them). */
export function parseDpkgList(text: string, file: string): { paths: string[]; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = []
  const paths: string[] = []
  linesOf(text, file, warnings).forEach((raw, index) => {
    const line = raw.endsWith('/') ? raw.slice(0, -1) : raw
    if (line === '') warnings.push({ file, line: index + 1, message: 'empty file name' })
    else paths.push(dpkgNodeName(line))
  })
  return { paths, warnings }
}

/** `<32 hex>  <path without leading slash>` lines of a `.md5sums` file, keyed by node name. */
export function parseDpkgMd5sums(
  text: string,
  file: string,
): { digests: Map<string, string>; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = []
  const digests = new Map<string, string>()
  linesOf(text, file, warnings).forEach((raw, index) => {
    const problem =
      raw.length < 32 + 3
        ? 'missing value'
        : raw[32] !== ' ' || raw[33] !== ' '
          ? 'missing value separator'
          : undefined
    const name = raw.endsWith('/') ? raw.slice(34, -1) : raw.slice(34)
    if (problem || name === '')
      warnings.push({ file, line: index + 1, message: problem ?? 'empty file name' })
    else digests.set(dpkgNodeName(name), raw.slice(0, 32))
  })
  return { digests, warnings }
}

/** The records of /var/lib/dpkg/diversions; a record cut short becomes a warning. */
export function parseDpkgDiversions(
  text: string,
  file: string,
): { diversions: DpkgDiversion[]; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const diversions: DpkgDiversion[] = []
  for (let at = 0; at < lines.length; at += 3) {
    const [from, to, owner] = lines.slice(at, at + 3)
    if (from === undefined || to === undefined || owner === undefined) {
      warnings.push({ file, line: at + 1, message: 'diversion record of fewer than three lines' })
      break
    }
    diversions.push({
      from: dpkgNodeName(from),
      to: dpkgNodeName(to),
      package: owner === ':' ? undefined : owner,
    })
  }
  return { diversions, warnings }
}

/** The info database layout: 1 (multiarch: `<pkg>:<arch>.list` for Multi-Arch: same) or 0 (legacy). */
export async function readDpkgInfoFormat(host: Host, adminDir = dpkgAdminDir): Promise<number> {
  const text = await host.readText(`${adminDir}/info/format`)
  return text === undefined ? 0 : Number.parseInt(text.trim(), 10) || 0
}

/** Host path of one of a package's info files (`list`, `md5sums`, `conffiles`, …). */
export function dpkgInfoFile(
  pkg: DpkgPackage,
  format: number,
  kind: string,
  adminDir = dpkgAdminDir,
): string {
  const qualified = format >= 1 && pkg.multiArch === 'same' && pkg.arch !== ''
  return `${adminDir}/info/${pkg.name}${qualified ? `:${pkg.arch}` : ''}.${kind}`
}

export interface DpkgPackageFiles {
  /** The `.list` paths in file order, as byte strings; empty when the package has no list file. */
  paths: string[]
  /** Whether the `.list` file exists (dpkg warns when an installed package has none). */
  listed: boolean
  /** `.md5sums` digests by node name (a byte string). */
  digests: Map<string, string>
  warnings: ParseWarning[]
}

/** A package's `.list` and `.md5sums`. Unreadable files throw HostPathError naming them. */
export async function dpkgFiles(
  host: Host,
  pkg: DpkgPackage,
  format: number,
  adminDir = dpkgAdminDir,
): Promise<DpkgPackageFiles> {
  const listFile = dpkgInfoFile(pkg, format, 'list', adminDir)
  const sumsFile = dpkgInfoFile(pkg, format, 'md5sums', adminDir)
  const [listText, sumsText] = await Promise.all(
    [listFile, sumsFile].map(async (file) => (await host.readBytes(file))?.toString('latin1')),
  )
  const list = listText === undefined ? { paths: [], warnings: [] } : parseDpkgList(listText, listFile)
  const sums =
    sumsText === undefined ? { digests: new Map(), warnings: [] } : parseDpkgMd5sums(sumsText, sumsFile)
  return {
    paths: list.paths,
    listed: listText !== undefined,
    digests: sums.digests,
    warnings: [...list.warnings, ...sums.warnings],
  }
}
