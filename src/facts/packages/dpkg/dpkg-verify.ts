/**
 * @module
 * `dpkg --verify` (dpkg 1.21 src/main/verify.c) on top of the verify engine. dpkg checks only
 * what it recorded: that every listed path exists and, where it knows an MD5 (`.md5sums`, or the
 * conffile hash in the status file), that the path is a regular file with that digest. Its lines
 * put `?` in every column it never checks: `??5?????? c /etc/foo`, `missing     /usr/bin/bar`.
 *
 * dpkg keeps one table of paths for the whole run: digests and conffile marks set while verifying
 * one package stay visible to the packages after it, and a diverted path is checked under the
 * name it is diverted to unless the package is the diverting one. The plan below replays that.
 */
import { fromByteString, type Host, toByteString } from '../../../host/host.ts'
import type { ParseWarning } from '../../../host/parse-error.ts'
import { type FileVerdict, missingLine, type VerifyColumn } from '../verify/file-verdict.ts'
import {
  type PackageVerification,
  type PackageVerifyOptions,
  type VerifyRules,
  verifyFiles,
} from '../verify/verify-files.ts'
import {
  type DpkgDiversion,
  type DpkgPackageFiles,
  dpkgAdminDir,
  dpkgFiles,
  dpkgNodeName,
  dpkgPrintablePath,
  parseDpkgDiversions,
  readDpkgInfoFormat,
} from './dpkg-files.ts'
import type { DpkgPackage } from './dpkg-status.ts'

export interface DpkgVerifyEntry {
  /** `name`, or `name:arch` for a Multi-Arch: same package (as dpkg names it in messages). */
  package: string
  /** The path dpkg looks at, the listed one or where it is diverted to, as a byte string (see dpkg-files.ts). */
  path: string
  /** The MD5 dpkg compares against; undefined when it knows none (directories, most symlinks). */
  md5: string | undefined
  /** dpkg marks the line `c`: the path is a conffile of this or an earlier verified package. */
  conffile: boolean
}

export interface DpkgVerifyPlan {
  /** The entries, one chunk per package in verification order, read from the info files as consumed. */
  entries: AsyncIterable<DpkgVerifyEntry[]>
  /** Packages asked for by name that are not installed (dpkg prints a notice and exits 1). */
  notInstalled: string[]
  /** Malformed info files and missing lists, added while `entries` is consumed. */
  warnings: ParseWarning[]
}

export interface DpkgVerifyOptions extends PackageVerifyOptions {
  /** @default '/var/lib/dpkg' */
  adminDir?: string
}

export function dpkgPackageLabel(pkg: DpkgPackage): string {
  return pkg.multiArch === 'same' && pkg.arch !== '' ? `${pkg.name}:${pkg.arch}` : pkg.name
}

function selectPackages(
  packages: readonly DpkgPackage[],
  select: readonly string[] | undefined,
): { chosen: DpkgPackage[]; notInstalled: string[] } {
  const known = packages.filter((pkg) => pkg.state !== 'not-installed')
  if (!select) return { chosen: known, notInstalled: [] }
  const chosen: DpkgPackage[] = []
  const notInstalled: string[] = []
  for (const wanted of select) {
    const matches = known.filter((pkg) => pkg.name === wanted || `${pkg.name}:${pkg.arch}` === wanted)
    if (matches.length === 0) notInstalled.push(wanted)
    chosen.push(...matches)
  }
  return { chosen, notInstalled }
}

/** Info files read ahead of the package being planned: enough to hide the reads, few enough to bound memory. */
const readAhead = 128

/**
 * The files dpkg --verify checks, in its order, with the digest and conffile mark it uses for each.
 * Packages' info files are read a few ahead of the one being replayed, so verification can start
 * on the first packages while the others are read.
 */
export async function dpkgVerifyPlan(
  host: Host,
  packages: readonly DpkgPackage[],
  options: DpkgVerifyOptions = {},
): Promise<DpkgVerifyPlan> {
  const adminDir = options.adminDir ?? dpkgAdminDir
  const warnings: ParseWarning[] = []
  const diversionsFile = `${adminDir}/diversions`
  const diversionsText = (await host.readBytes(diversionsFile))?.toString('latin1')
  const parsedDiversions = parseDpkgDiversions(diversionsText ?? '', diversionsFile)
  warnings.push(...parsedDiversions.warnings)
  const diversions = new Map<string, DpkgDiversion>(parsedDiversions.diversions.map((d) => [d.from, d]))
  const format = await readDpkgInfoFormat(host, adminDir)
  const selected = selectPackages(packages, options.select)
  // Conffile marks come from the status file: for conffiles alone, packages without any need no
  // reading (a path one package lists as a conffile of another is the one case this misses).
  const chosen = options.configOnly
    ? selected.chosen.filter((pkg) => pkg.conffiles.length > 0)
    : selected.chosen

  async function* entries(): AsyncGenerator<DpkgVerifyEntry[]> {
    const reads: (Promise<DpkgPackageFiles> | undefined)[] = []
    const startRead = (index: number) => {
      const pkg = chosen[index]
      if (!pkg) return
      const read = dpkgFiles(host, pkg, format, adminDir)
      read.catch(() => undefined) // awaited in turn below; not an unhandled rejection meanwhile
      reads[index] = read
    }
    for (let index = 0; index < readAhead; index++) startRead(index)
    // dpkg's one table of paths for the whole run: digests and conffile marks accumulate.
    const newHash = new Map<string, string>()
    const oldHash = new Map<string, string>()
    const conffiles = new Set<string>()
    for (const [index, pkg] of chosen.entries()) {
      const {
        paths,
        listed,
        digests,
        warnings: fileWarnings,
      } = await (reads[index] as Promise<DpkgPackageFiles>)
      reads[index] = undefined
      startRead(index + readAhead)
      warnings.push(...fileWarnings)
      if (!listed && pkg.state !== 'config-files') {
        const message = `files list file for package '${dpkgPackageLabel(pkg)}' missing; assuming package has no files currently installed`
        warnings.push({ file: `${adminDir}/info`, line: 0, message })
      }
      for (const [path, md5] of digests) newHash.set(path, md5)
      for (const conffile of pkg.conffiles) {
        const name = dpkgNodeName(toByteString(conffile.path))
        conffiles.add(name)
        if (!oldHash.has(name)) oldHash.set(name, conffile.md5)
      }
      const label = dpkgPackageLabel(pkg)
      const planned: DpkgVerifyEntry[] = []
      for (const listedPath of paths) {
        const diversion = diversions.get(listedPath)
        const path = diversion && diversion.package !== pkg.name ? diversion.to : listedPath
        const conffile = conffiles.has(path)
        if (options.configOnly && !conffile) continue
        planned.push({ package: label, path, md5: newHash.get(path) ?? oldHash.get(path), conffile })
      }
      yield planned
    }
  }
  return { entries: entries(), notInstalled: selected.notInstalled, warnings }
}

/** The rules the verify engine applies to dpkg entries. */
export function dpkgVerifyRules(): VerifyRules<DpkgVerifyEntry> {
  return {
    hostPath: (entry) => fromByteString(entry.path),
    // dpkg opens the path (following a symlink) whenever it knows a digest, whatever the path is.
    digestFor: (entry) => (entry.md5 === undefined ? undefined : 'md5'),
    judge(entry, found) {
      const marker = entry.conffile ? 'c' : ' '
      const path = dpkgPrintablePath(entry.path)
      const base = { package: entry.package, path, config: entry.conffile, problem: true }
      if (!found?.stat) {
        const line = missingLine(marker, path, found?.error ?? 'ENOENT')
        return { ...base, line, missing: true, changed: [], unknown: [] }
      }
      if (entry.md5 === undefined) return undefined
      // "If we know its digest, the pathname must be a regular file."
      const modeFailed = found.stat.kind !== 'file'
      const digest = found.digest === undefined ? '?' : found.digest === entry.md5 ? '.' : '5'
      if (!modeFailed && digest === '.') return undefined
      const changed: VerifyColumn[] = []
      if (modeFailed) changed.push('M')
      if (digest === '5') changed.push('5')
      const line = `?${modeFailed ? 'M' : '?'}${digest}?????? ${marker} ${path}`
      return {
        ...base,
        line,
        missing: false,
        changed,
        unknown: digest === '?' ? ['5'] : [],
      } satisfies FileVerdict
    },
  }
}

/** Verifies the files of installed dpkg packages (the status file's `packages`) as dpkg --verify. */
export async function dpkgVerify(
  host: Host,
  packages: readonly DpkgPackage[],
  options: DpkgVerifyOptions = {},
): Promise<PackageVerification> {
  const { entries, notInstalled, warnings } = await dpkgVerifyPlan(host, packages, options)
  let filesChecked = 0
  const counted = async function* () {
    for await (const chunk of entries) {
      filesChecked += chunk.length
      yield chunk
    }
  }
  const verdicts = await verifyFiles(host, counted(), dpkgVerifyRules(), options)
  return { verdicts, notInstalled, filesChecked, warnings }
}
