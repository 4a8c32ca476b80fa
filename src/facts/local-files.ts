/**
 * @module
 * Files no package owns, the Preupgrade Assistant's "All local files" and "All executable files"
 * (find over every local mount, then compared with `rpm -qal`) for the files a migration must
 * carry by hand: configuration added by the administrator, software installed from tarballs,
 * locally built binaries. Walked through the Host over the directories of local-file-scan.json,
 * bounded in entries, never following links or entering network mounts.
 */
import type { HostDirEntry, HostStat } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact, type GatherContext } from './define-fact.ts'
import { HostPathResolver } from './local-files/host-path-resolver.ts'
import localFileScanData from './local-files/local-file-scan.json' with { type: 'json' }
import { readOwnedPaths } from './local-files/owned-paths.ts'
import { installedPackages } from './packages/installed-packages.ts'
import type { PackageDatabase } from './packages/package-source.ts'

export interface LocalFileScan {
  /** Directories to walk. */
  include: string[]
  /** Globs of subtrees not to walk. */
  exclude: string[]
  /** Globs of entries the system makes itself: counted per rule, not listed. */
  expected: { glob: string; why: string }[]
  /** Filesystem types whose mount points are not entered (live hosts). */
  skipFilesystems: string[]
  /** The walk stops after this many entries. */
  maxEntries: number
  /** At most this many paths are reported per list. */
  maxListed: number
}

export const defaultLocalFileScan: LocalFileScan = localFileScanData

export interface LocalEntry {
  path: string
  kind: HostStat['kind']
  /** Permission bits and size of regular files. */
  mode?: number
  size?: number
  /** A directory no package owns is listed once, with the number of not-owned entries below it. */
  entriesBelow?: number
}

export interface LocalFiles {
  /** The directories walked, links resolved. */
  scanned: string[]
  /** Configured directories the host does not have. */
  absent: string[]
  /** Mount points not entered (network and virtual filesystems). */
  skippedMounts: string[]
  entriesWalked: number
  /** Entries no package owns, expected ones apart; a directory counts with everything below it. */
  unownedCount: number
  /** Not-owned entries per directory (a scanned directory plus one component: '/etc/httpd', '/usr/local/bin'), most first. */
  byDirectory: { directory: string; count: number }[]
  /** The first not-owned entries in walk order (depth first, names sorted), directories no package owns as one entry each. */
  listed: LocalEntry[]
  /** Entries matched by an expected rule, per rule. */
  expected: { glob: string; why: string; count: number }[]
  /** Not-owned regular files with an execute bit, also those inside not-owned directories. */
  executables: { count: number; listed: LocalEntry[] }
  /** False when the walk stopped at maxEntries: the counts are then lower bounds. */
  complete: boolean
  warnings: ParseWarning[]
}

/** A glob as a regular expression: `*` and `?` within one component, `**` across, `[…]` a class. */
export function globPattern(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*'
      i++
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1)
      if (end < 0) source += '\\['
      else {
        source += `[${glob.slice(i + 1, end).replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

function isUnder(hostPath: string, directory: string): boolean {
  return directory === '/' || hostPath === directory || hostPath.startsWith(`${directory}/`)
}

/** Mount points of filesystems of `types`, from the text of /proc/self/mountinfo (proc(5)). */
export function mountPointsOfTypes(mountinfo: string, types: readonly string[]): Set<string> {
  const points = new Set<string>()
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ')
    const mountPoint = before?.split(' ')[4]
    const type = after?.split(' ')[0]
    if (!mountPoint || !type || !types.includes(type)) continue
    // mountinfo writes spaces and other specials as octal escapes (\040)
    points.add(
      mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
        String.fromCharCode(Number.parseInt(octal, 8)),
      ),
    )
  }
  return points
}

/** The mount points not to enter: only a live host's mounts are known. */
async function skippedMountPoints(context: GatherContext, types: readonly string[]): Promise<Set<string>> {
  const mountinfo = context.host.live ? await context.host.readText('/proc/self/mountinfo') : undefined
  return mountPointsOfTypes(mountinfo ?? '', types)
}

const executeBits = 0o111

class LocalFileWalk {
  entriesWalked = 0
  unownedCount = 0
  complete = true
  readonly listed: LocalEntry[] = []
  readonly executables: LocalEntry[] = []
  executableCount = 0
  readonly byDirectory = new Map<string, number>()
  readonly expectedCounts: number[]
  readonly skippedMounts: string[] = []
  private readonly exclude: RegExp[]
  private readonly expected: RegExp[]

  constructor(
    private readonly context: GatherContext,
    private readonly scan: LocalFileScan,
    private readonly owned: Set<string>,
    private readonly mounts: Set<string>,
  ) {
    this.exclude = scan.exclude.map(globPattern)
    this.expected = scan.expected.map((rule) => globPattern(rule.glob))
    this.expectedCounts = scan.expected.map(() => 0)
  }

  private countIn(root: string, hostPath: string, count: number): void {
    const rest = hostPath.slice(root.length + 1)
    const slash = rest.indexOf('/')
    const directory = slash < 0 ? hostPath : `${root}/${rest.slice(0, slash)}`
    this.byDirectory.set(directory, (this.byDirectory.get(directory) ?? 0) + count)
  }

  /** Not-owned regular files, for their mode and size once the walk is done. */
  private readonly files: LocalEntry[] = []

  /**
   * Adds mode and size to the not-owned regular files and notes the executables among them: one
   * batched lstat on the Host's worker pool, far faster than one promise per file.
   */
  async inspectFiles(): Promise<void> {
    const inspected = await this.context.host.inspectFiles(
      this.files.map((entry) => entry.path),
      () => undefined,
    )
    this.files.forEach((entry, index) => {
      const stat = inspected[index]?.stat
      if (!stat) return
      entry.mode = stat.mode & 0o7777
      entry.size = stat.size
      if ((stat.mode & executeBits) === 0) return
      this.executableCount++
      if (this.executables.length < this.scan.maxListed) this.executables.push({ ...entry })
    })
  }

  /**
   * Walks `directory` below the scanned directory `root` depth first in path order;
   * not-owned entries below a not-owned directory are counted with it, not listed.
   */
  async walk(root: string, directory = root, unownedAncestor?: LocalEntry): Promise<void> {
    let entries: HostDirEntry[] | undefined
    try {
      entries = await this.context.host.readDir(directory)
    } catch {
      // unreadable (permissions, a directory that vanished): its entries cannot be known
      return
    }
    for (const { name, kind } of entries ?? []) {
      if (this.entriesWalked >= this.scan.maxEntries) {
        this.complete = false
        return
      }
      this.entriesWalked++
      const hostPath = directory === '/' ? `/${name}` : `${directory}/${name}`
      if (this.exclude.some((pattern) => pattern.test(hostPath))) continue
      if (kind === 'directory' && this.mounts.has(hostPath)) {
        this.skippedMounts.push(hostPath)
        continue
      }
      const rule = this.expected.findIndex((pattern) => pattern.test(hostPath))
      if (rule >= 0) {
        this.expectedCounts[rule] = (this.expectedCounts[rule] ?? 0) + 1
        continue
      }
      // A directory no package owns may still hold packaged files (rpm makes missing parents).
      if (this.owned.has(hostPath)) {
        if (kind === 'directory') await this.walk(root, hostPath)
        continue
      }
      const entry: LocalEntry = { path: hostPath, kind }
      this.unownedCount++
      this.countIn(root, hostPath, 1)
      if (kind === 'file') this.files.push(entry)
      if (unownedAncestor) unownedAncestor.entriesBelow = (unownedAncestor.entriesBelow ?? 0) + 1
      else if (this.listed.length < this.scan.maxListed) this.listed.push(entry)
      if (kind === 'directory') await this.walk(root, hostPath, unownedAncestor ?? entry)
    }
  }
}

/** Walks the scanned directories of the host whose package database is `database`. */
export async function collectLocalFiles(
  context: GatherContext,
  database: Pick<PackageDatabase, 'format' | 'path'>,
  scan: LocalFileScan = defaultLocalFileScan,
): Promise<LocalFiles> {
  const resolver = new HostPathResolver(context.host)
  const scanned: string[] = []
  const absent: string[] = []
  for (const directory of scan.include) {
    const resolved = await resolver.resolve(directory)
    if ((await context.host.stat(resolved))?.kind !== 'directory') absent.push(directory)
    else if (!scanned.some((done) => isUnder(resolved, done))) scanned.push(resolved)
  }
  const { paths: owned, warnings } = await readOwnedPaths(context.host, database, resolver, (hostPath) =>
    scanned.some((directory) => isUnder(hostPath, directory)),
  )
  const walk = new LocalFileWalk(
    context,
    scan,
    owned,
    await skippedMountPoints(context, scan.skipFilesystems),
  )
  for (const [index, directory] of scanned.entries()) {
    context.progress(index, scanned.length)
    await walk.walk(directory)
  }
  await walk.inspectFiles()
  context.progress(scanned.length, scanned.length)
  if (!walk.complete)
    warnings.push({
      file: scanned.join(' '),
      line: 0,
      message: `stopped after ${scan.maxEntries} entries (maxEntries in local-file-scan.json): the counts are lower bounds`,
    })
  return {
    scanned,
    absent,
    skippedMounts: walk.skippedMounts,
    entriesWalked: walk.entriesWalked,
    unownedCount: walk.unownedCount,
    byDirectory: [...walk.byDirectory]
      .map(([directory, count]) => ({ directory, count }))
      .sort((a, b) => b.count - a.count || (a.directory < b.directory ? -1 : 1)),
    listed: walk.listed,
    expected: scan.expected
      .map((rule, index) => ({ ...rule, count: walk.expectedCounts[index] ?? 0 }))
      .filter((rule) => rule.count > 0),
    executables: { count: walk.executableCount, listed: walk.executables },
    complete: walk.complete,
    warnings,
  }
}

export const localFiles = defineFact({
  id: 'localFiles',
  title: 'All local files',
  needs: { installedPackages },
  collect: (context, facts) => collectLocalFiles(context, facts.installedPackages),
})
