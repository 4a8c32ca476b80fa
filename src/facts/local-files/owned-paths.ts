/**
 * @module
 * The paths the package database says packages own — `rpm -qal` (files and directories), or
 * dpkg's info/<pkg>.list files, the conffiles of removed-but-not-purged packages and the places
 * diversions moved packaged files to — as a walk of some directories finds them: the links one
 * or two levels below / that lead into those directories are followed (/etc/init.d →
 * rc.d/init.d on EL; a /usr/local linked to /opt/local), and only the paths that land in them
 * are kept, so a host's hundred thousand packaged files cost one pass of string tests.
 */
import path from 'node:path'
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import {
  dpkgInfoFile,
  dpkgNodeName,
  parseDpkgDiversions,
  readDpkgInfoFormat,
} from '../packages/dpkg/dpkg-files.ts'
import { parseDpkgStatus } from '../packages/dpkg/dpkg-status.ts'
import type { PackageDatabase } from '../packages/package-source.ts'
import { filesOrWarning } from '../packages/rpm/rpm-package.ts'
import { readRpmdb } from '../packages/rpm/rpmdb.ts'
import type { HostPathResolver } from './host-path-resolver.ts'

/** info/*.list files read at once: enough to keep the disk busy, few enough to bound open files. */
const listReadBatch = 64

type Keep = (packagedPath: string) => string | undefined

async function rpmOwned(host: Host, dbFile: string, keep: Keep, warnings: ParseWarning[]): Promise<string[]> {
  const db = await readRpmdb(host, dbFile)
  const paths: string[] = []
  for (const pkg of db.packages) {
    const files = filesOrWarning(pkg, pkg.name, db.path, warnings)
    if (!files) continue
    for (const file of files) {
      const kept = file.path && keep(file.path.toString('utf8'))
      if (kept) paths.push(kept)
    }
  }
  return paths
}

/** The kept paths of a `.list` file: one packaged path a line, directories with or without a trailing '/'. */
function listedPaths(text: string, keep: Keep, into: string[]): void {
  for (const line of text.split('\n')) {
    if (line === '') continue
    const kept = keep(dpkgNodeName(line.endsWith('/') ? line.slice(0, -1) : line))
    if (kept) into.push(kept)
  }
}

async function dpkgOwned(
  host: Host,
  statusFile: string,
  keep: Keep,
  warnings: ParseWarning[],
): Promise<string[]> {
  const text = await host.readText(statusFile)
  if (text === undefined) throw new Error(`${statusFile}: no such file`)
  const adminDir = path.posix.dirname(statusFile)
  const { packages } = parseDpkgStatus(text, statusFile)
  const format = await readDpkgInfoFormat(host, adminDir)
  const paths: string[] = []
  for (const pkg of packages) for (const conffile of pkg.conffiles) listedPaths(conffile.path, keep, paths)
  const listed = packages.filter((pkg) => pkg.state !== 'not-installed' && pkg.state !== 'config-files')
  for (let at = 0; at < listed.length; at += listReadBatch) {
    const batch = listed
      .slice(at, at + listReadBatch)
      .map((pkg) => dpkgInfoFile(pkg, format, 'list', adminDir))
    for (const list of await Promise.all(batch.map((file) => host.readText(file))))
      if (list !== undefined) listedPaths(list, keep, paths)
  }
  const diversionsFile = `${adminDir}/diversions`
  const diversions = await host.readText(diversionsFile)
  if (diversions !== undefined) {
    const parsed = parseDpkgDiversions(diversions, diversionsFile)
    warnings.push(...parsed.warnings)
    for (const diversion of parsed.diversions) listedPaths(diversion.to, keep, paths)
  }
  return paths
}

/** Top-level directories that hold no packaged files, only the kernel's and the running system's. */
const virtualDirectories = new Set(['dev', 'proc', 'run', 'sys', 'tmp'])

/**
 * Symbolic links one or two levels below / whose targets are in the walked directories, by path:
 * packages name files through them, the walk (which does not follow links) finds the targets.
 */
async function linksInto(
  host: Host,
  resolver: HostPathResolver,
  walked: (hostPath: string) => boolean,
): Promise<Map<string, string>> {
  const candidates: string[] = []
  for (const top of (await host.readDir('/')) ?? []) {
    if (virtualDirectories.has(top.name)) continue
    if (top.kind === 'symlink') candidates.push(`/${top.name}`)
    if (top.kind !== 'directory') continue
    for (const entry of (await host.readDir(`/${top.name}`)) ?? [])
      if (entry.kind === 'symlink') candidates.push(`/${top.name}/${entry.name}`)
  }
  const targets = await Promise.all(candidates.map((link) => resolver.resolve(link)))
  return new Map(
    candidates
      .map((link, index) => [link, targets[index] as string] as const)
      .filter(([, target]) => walked(target)),
  )
}

/**
 * The owned paths inside the walked directories (`walked` says which host paths are), as the walk
 * finds them. `database` is the installed-packages fact's value.
 */
export async function readOwnedPaths(
  host: Host,
  database: Pick<PackageDatabase, 'format' | 'path'>,
  resolver: HostPathResolver,
  walked: (hostPath: string) => boolean,
): Promise<{ paths: Set<string>; warnings: ParseWarning[] }> {
  const links = await linksInto(host, resolver, walked)
  const throughLink = (packagedPath: string, end: number): string | undefined => {
    const target = end > 0 ? links.get(packagedPath.slice(0, end)) : undefined
    return target === undefined ? undefined : target + packagedPath.slice(end)
  }
  const keep: Keep = (packagedPath) => {
    const first = packagedPath.indexOf('/', 1)
    const second = first < 0 ? -1 : packagedPath.indexOf('/', first + 1)
    const resolved = throughLink(packagedPath, second) ?? throughLink(packagedPath, first) ?? packagedPath
    return walked(resolved) ? resolved : undefined
  }
  const warnings: ParseWarning[] = []
  const listed =
    database.format === 'rpm'
      ? await rpmOwned(host, database.path, keep, warnings)
      : await dpkgOwned(host, database.path, keep, warnings)
  return { paths: new Set(listed), warnings }
}
