/**
 * @module
 * `rpm -Va` / `rpm -V NAME…` on top of the verify engine: the packages in database order, each
 * file in header order, judged by rpm's rules. Only the file checks: rpm -V also checks
 * dependencies and runs %verifyscript, which need a working rpm.
 */
import type { Host } from '../../../host/host.ts'
import type { ParseWarning } from '../../../host/parse-error.ts'
import { formatEvr } from '../package-source.ts'
import { filesOrWarning, type RpmPackage } from '../rpm/rpm-package.ts'
import type { Rpmdb } from '../rpm/rpmdb.ts'
import { digestAlgorithmName, fileFlags, tags } from '../rpm/tags.ts'
import {
  type AccountIds,
  type RpmVerifyEntry,
  type RpmVerifyOptions,
  rpmVerifyRules,
} from './rpm-verify-file.ts'
import { type PackageVerification, type PackageVerifyOptions, verifyFiles } from './verify-files.ts'

export interface RpmPackageVerifyOptions extends PackageVerifyOptions, Pick<RpmVerifyOptions, 'omit'> {}

/** `name-[epoch:]version-release.arch` as rpm names a package in its messages. */
export function rpmPackageLabel(pkg: RpmPackage): string {
  return `${pkg.name}-${formatEvr(pkg)}${pkg.arch ? `.${pkg.arch}` : ''}`
}

/** The labels `rpm -q` accepts for a package: name, name-version, name-version-release, with arch. */
function labelsOf(pkg: RpmPackage): string[] {
  const evr = formatEvr(pkg)
  const plainEvr = `${pkg.version}-${pkg.release}`
  const labels = [pkg.name, `${pkg.name}-${pkg.version}`, `${pkg.name}-${plainEvr}`, `${pkg.name}-${evr}`]
  if (pkg.arch)
    labels.push(
      `${pkg.name}-${plainEvr}.${pkg.arch}`,
      `${pkg.name}-${evr}.${pkg.arch}`,
      `${pkg.name}.${pkg.arch}`,
    )
  return labels
}

function selectPackages(packages: readonly RpmPackage[], select: readonly string[] | undefined) {
  if (!select) return { chosen: [...packages], notInstalled: [] as string[] }
  const chosen: RpmPackage[] = []
  const notInstalled: string[] = []
  for (const wanted of select) {
    const matches = packages.filter((pkg) => labelsOf(pkg).includes(wanted))
    if (matches.length === 0) notInstalled.push(wanted)
    chosen.push(...matches)
  }
  return { chosen, notInstalled }
}

/**
 * Whether more than one package owns a path. Asked only for files whose mtime differs, so the
 * index is of base names (cheap to read from each header) and only the packages sharing a base
 * name have their file lists decoded.
 */
function sharedPaths(packages: readonly RpmPackage[]): (path: Buffer) => boolean {
  let byBaseName: Map<string, RpmPackage[]> | undefined
  const index = () => {
    const map = new Map<string, RpmPackage[]>()
    for (const pkg of packages) {
      const baseNames =
        pkg.header.byteStrings(tags.BASENAMES) ??
        pkg.header.byteStrings(tags.OLDFILENAMES)?.map(baseNameOf) ??
        []
      for (const key of new Set(baseNames.map((name) => name.toString('latin1')))) {
        const owners = map.get(key)
        if (owners) owners.push(pkg)
        else map.set(key, [pkg])
      }
    }
    return map
  }
  const owns = (pkg: RpmPackage, path: Buffer) => {
    try {
      return pkg.files().some((file) => file.path?.equals(path))
    } catch {
      return false
    }
  }
  return (path) => {
    byBaseName ??= index()
    const candidates = byBaseName.get(baseNameOf(path).toString('latin1')) ?? []
    return candidates.length > 1 && candidates.filter((pkg) => owns(pkg, path)).length > 1
  }
}

function baseNameOf(path: Buffer): Buffer {
  return path.subarray(path.lastIndexOf(0x2f) + 1)
}

/** Verifies the files of installed rpm packages; `ids` resolves owner names in the assessed root. */
export async function rpmVerify(
  host: Host,
  db: Rpmdb,
  ids: AccountIds,
  options: RpmPackageVerifyOptions = {},
): Promise<PackageVerification> {
  const { chosen, notInstalled } = selectPackages(db.packages, options.select)
  const warnings: ParseWarning[] = []
  let filesChecked = 0
  // Headers are decoded package by package while the first packages' files are already checked.
  async function* entries(): AsyncGenerator<RpmVerifyEntry[]> {
    for (const pkg of chosen) {
      // Most packages have no %config file: their flags alone say so, without decoding the file list.
      if (
        options.configOnly &&
        !pkg.header.numbers(tags.FILEFLAGS)?.some((flags) => flags & fileFlags.CONFIG)
      )
        continue
      const label = rpmPackageLabel(pkg)
      const files = filesOrWarning(pkg, label, db.path, warnings)
      if (!files) continue
      const algorithm = digestAlgorithmName(pkg.fileDigestAlgo)
      const chunk: RpmVerifyEntry[] = []
      for (const file of files) {
        if (options.configOnly && !(file.flags & fileFlags.CONFIG)) continue
        chunk.push({ file, package: label, algorithm })
      }
      filesChecked += chunk.length
      yield chunk
    }
  }
  const rules = rpmVerifyRules(host, ids, {
    ...(options.omit !== undefined ? { omit: options.omit } : {}),
    sharedPath: sharedPaths(db.packages),
  })
  const verdicts = await verifyFiles(host, entries(), rules, options)
  return { verdicts, notInstalled, filesChecked, warnings }
}
