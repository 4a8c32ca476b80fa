/**
 * @module
 * The only door to the disk of the host being assessed. Every path a collector asks for is a path
 * *on the assessed host* ('/etc/passwd'); the host maps it into its root and resolves symlinks
 * itself, so an absolute link inside an offline root points back into that root and `..` never
 * climbs above it.
 */
import type { Dirent, Stats } from 'node:fs'
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises'
import path from 'node:path'
import { type DigestChoice, type InspectedFile, inspectFiles, type ResolvedPath } from './file-inspector.ts'
import { HostPathError } from './host-path-error.ts'

/** What a collector may learn about a file without reading it. */
export interface HostStat {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other'
  readonly mode: number
  readonly size: number
  readonly uid: number
  readonly gid: number
  readonly mtimeMs: number
}

export interface HostDirEntry {
  readonly name: string
  readonly kind: HostStat['kind']
}

export interface Host {
  /** '/' for the live system, otherwise the absolute path of the offline root. */
  readonly root: string
  /** True when the assessed system is the one preflight runs on (so /proc, /sys and binaries are real). */
  readonly live: boolean
  /** The real path on this machine of a host path, symlinks resolved inside the root. Undefined when absent. */
  resolve(hostPath: string): Promise<string | undefined>
  /** File contents as UTF-8 text; undefined when the file does not exist. Other failures throw HostPathError. */
  readText(hostPath: string): Promise<string | undefined>
  /** File contents as bytes; undefined when the file does not exist. */
  readBytes(hostPath: string): Promise<Buffer | undefined>
  /** Directory entries sorted by name; undefined when the directory does not exist. */
  readDir(hostPath: string): Promise<HostDirEntry[] | undefined>
  /** Stat following symlinks (inside the root). */
  stat(hostPath: string): Promise<HostStat | undefined>
  /** Stat of the path itself; the last component is not followed. */
  lstat(hostPath: string): Promise<HostStat | undefined>
  /** The raw target of a symlink, as stored; undefined when absent or not a link. */
  readLink(hostPath: string): Promise<string | undefined>
  /**
   * lstat of many paths at once (last component not followed) with symlink targets and, for the
   * files `choose` picks, a streamed content digest; in request order. Runs on a pool of worker
   * threads, so verifying a whole package database keeps every core hashing.
   */
  inspectFiles(hostPaths: readonly string[], choose: DigestChoice): Promise<InspectedFile[]>
}

/** Symlink hops allowed while resolving one path, as Linux's MAXSYMLINKS. */
const maxSymlinkHops = 40

/** Files larger than this are refused by readText/readBytes: no host file a check reads is this big. */
const maxReadBytes = 256 * 1024 * 1024

export interface HostOptions {
  /** @default '/' */
  root?: string
}

export function openHost(options: HostOptions = {}): Host {
  const root = path.resolve(options.root ?? '/')
  return root === '/' ? liveHost() : new RootedHost(root)
}

function kindOf(stats: Stats | Dirent): HostStat['kind'] {
  if (stats.isSymbolicLink()) return 'symlink'
  if (stats.isFile()) return 'file'
  if (stats.isDirectory()) return 'directory'
  return 'other'
}

function toHostStat(stats: Stats): HostStat {
  return {
    kind: kindOf(stats),
    mode: stats.mode,
    size: stats.size,
    uid: stats.uid,
    gid: stats.gid,
    mtimeMs: stats.mtimeMs,
  }
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * `operation` on a resolved real path: undefined when the path does not resolve or the file is
 * absent; any other failure as a HostPathError naming the host path.
 */
async function whenPresent<T>(
  hostPath: string,
  real: string | undefined,
  operation: (real: string) => Promise<T>,
): Promise<T | undefined> {
  if (real === undefined) return undefined
  try {
    return await operation(real)
  } catch (error) {
    if (isAbsent(error)) return undefined
    throw HostPathError.from(hostPath, error)
  }
}

/** Normalises a host path to an absolute, '.'-free form; '..' is kept for the resolver to apply. */
function hostComponents(hostPath: string): string[] {
  if (!hostPath.startsWith('/')) throw new HostPathError(hostPath, 'EINVAL', 'host paths must be absolute')
  return hostPath.split('/').filter((part) => part !== '' && part !== '.')
}

abstract class BaseHost implements Host {
  abstract readonly root: string
  abstract readonly live: boolean
  abstract resolve(hostPath: string): Promise<string | undefined>
  protected abstract resolveParent(hostPath: string): Promise<string | undefined>
  /** As resolveParent for many paths, without checking that the last components exist (the inspector lstats them). */
  protected abstract inspectionPaths(hostPaths: readonly string[]): Promise<ResolvedPath[]>

  async readBytes(hostPath: string): Promise<Buffer | undefined> {
    const real = await this.resolve(hostPath)
    if (real === undefined) return undefined
    let handle: Awaited<ReturnType<typeof open>>
    try {
      handle = await open(real, 'r')
    } catch (error) {
      if (isAbsent(error)) return undefined
      throw HostPathError.from(hostPath, error)
    }
    try {
      const info = await handle.stat()
      if (info.isDirectory()) throw new HostPathError(hostPath, 'EISDIR', 'is a directory')
      if (info.size > maxReadBytes)
        throw new HostPathError(hostPath, 'EFBIG', `larger than ${maxReadBytes} bytes`)
      return await handle.readFile()
    } catch (error) {
      throw HostPathError.from(hostPath, error)
    } finally {
      await handle.close()
    }
  }

  async readText(hostPath: string): Promise<string | undefined> {
    return (await this.readBytes(hostPath))?.toString('utf8')
  }

  async readDir(hostPath: string): Promise<HostDirEntry[] | undefined> {
    return whenPresent(hostPath, await this.resolve(hostPath), async (real) => {
      const entries = await readdir(real, { withFileTypes: true })
      return entries
        .map((entry) => ({ name: entry.name, kind: kindOf(entry) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    })
  }

  async stat(hostPath: string): Promise<HostStat | undefined> {
    return whenPresent(hostPath, await this.resolve(hostPath), async (real) => toHostStat(await stat(real)))
  }

  async lstat(hostPath: string): Promise<HostStat | undefined> {
    return whenPresent(hostPath, await this.resolveParent(hostPath), async (real) =>
      toHostStat(await lstat(real)),
    )
  }

  async readLink(hostPath: string): Promise<string | undefined> {
    return whenPresent(hostPath, await this.resolveParent(hostPath), (real) =>
      readlink(real).catch((error: NodeJS.ErrnoException) => {
        // EINVAL: the path is not a symbolic link.
        if (error.code === 'EINVAL') return undefined
        throw error
      }),
    )
  }

  async inspectFiles(hostPaths: readonly string[], choose: DigestChoice): Promise<InspectedFile[]> {
    const parents = await this.inspectionPaths(hostPaths)
    return inspectFiles(parents, choose, (index) =>
      resolvedPath(hostPaths[index] ?? '', (p) => this.resolve(p)),
    )
  }
}

/** A resolver's answer as the file inspector takes it: the real path, or why there is none. */
async function resolvedPath(
  hostPath: string,
  resolver: (hostPath: string) => Promise<string | undefined>,
): Promise<ResolvedPath> {
  try {
    const real = await resolver(hostPath)
    return real === undefined ? { error: 'ENOENT' } : { real }
  } catch (error) {
    return { error: HostPathError.from(hostPath, error).code }
  }
}

/** The running system: the kernel already resolves links against the real '/'. */
class LiveHost extends BaseHost {
  readonly root = '/'
  readonly live = true

  async resolve(hostPath: string): Promise<string | undefined> {
    return `/${hostComponents(hostPath).join('/')}`
  }

  protected async resolveParent(hostPath: string): Promise<string | undefined> {
    return this.resolve(hostPath)
  }

  protected async inspectionPaths(hostPaths: readonly string[]): Promise<ResolvedPath[]> {
    // Package databases list clean absolute paths: those need no splitting and joining.
    const clean = /^(?:\/(?!\.{1,2}(?:\/|$))[^/]+)+$/
    return hostPaths.map((hostPath) => {
      if (clean.test(hostPath)) return { real: hostPath }
      try {
        return { real: `/${hostComponents(hostPath).join('/')}` }
      } catch (error) {
        return { error: HostPathError.from(hostPath, error).code }
      }
    })
  }
}

let sharedLiveHost: LiveHost | undefined
function liveHost(): LiveHost {
  sharedLiveHost ??= new LiveHost()
  return sharedLiveHost
}

/** An offline root: resolves every component itself so nothing escapes the root. */
class RootedHost extends BaseHost {
  readonly live = false
  /** Resolved directories, keyed by host path: collectors ask for siblings in the same tree many times. */
  private readonly resolvedDirs = new Map<string, Promise<string[] | undefined>>()

  constructor(readonly root: string) {
    super()
  }

  async resolve(hostPath: string): Promise<string | undefined> {
    const parts = await this.resolveParts(hostComponents(hostPath), true, hostPath)
    return parts && this.realPath(parts)
  }

  protected async resolveParent(hostPath: string): Promise<string | undefined> {
    const parts = await this.resolveParts(hostComponents(hostPath), false, hostPath)
    return parts && this.realPath(parts)
  }

  protected inspectionPaths(hostPaths: readonly string[]): Promise<ResolvedPath[]> {
    const unchecked = async (hostPath: string) => {
      const parts = hostComponents(hostPath)
      const last = parts[parts.length - 1]
      if (last === undefined || parts.includes('..')) return this.resolveParent(hostPath)
      const dir = await this.resolveDir(parts.slice(0, -1), hostPath)
      return dir && this.realPath([...dir, last])
    }
    return Promise.all(hostPaths.map((hostPath) => resolvedPath(hostPath, unchecked)))
  }

  private realPath(parts: string[]): string {
    return parts.length === 0 ? this.root : path.join(this.root, ...parts)
  }

  private resolveParts(
    parts: string[],
    followLast: boolean,
    originalPath: string,
  ): Promise<string[] | undefined> {
    const last = parts[parts.length - 1]
    if (parts.length > 1 && last !== undefined && !parts.includes('..')) {
      return this.resolveDir(parts.slice(0, -1), originalPath).then(
        (dir) => dir && this.walk(dir, [last], followLast, originalPath),
      )
    }
    return this.walk([], parts, followLast, originalPath)
  }

  /** Collectors read many files of the same directories (/etc, /usr/lib/systemd/system): resolve each once. */
  private resolveDir(parts: string[], originalPath: string): Promise<string[] | undefined> {
    const key = parts.join('/')
    let pending = this.resolvedDirs.get(key)
    if (!pending) {
      pending = this.resolveParts(parts, true, originalPath)
      this.resolvedDirs.set(key, pending)
    }
    return pending
  }

  /**
   * Walks components left to right from an already resolved prefix. A symlink's target replaces
   * the link: an absolute target restarts at the root, a relative one goes on from the link's
   * directory, and '..' at the root stays at the root.
   */
  private async walk(
    start: string[],
    input: string[],
    followLast: boolean,
    originalPath: string,
  ): Promise<string[] | undefined> {
    const pending = [...input]
    let resolved = [...start]
    let hops = 0
    for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
      if (part === '..') {
        resolved.pop()
        continue
      }
      const next = await this.step(resolved, part, pending.length > 0 || followLast, originalPath)
      if (next === 'absent') return undefined
      if (next.kind === 'plain') {
        resolved.push(part)
        continue
      }
      hops++
      if (hops > maxSymlinkHops)
        throw new HostPathError(originalPath, 'ELOOP', 'too many levels of symbolic links')
      pending.unshift(...next.target)
      if (next.fromRoot) resolved = []
    }
    return resolved
  }

  private async step(
    resolved: string[],
    part: string,
    follow: boolean,
    originalPath: string,
  ): Promise<'absent' | { kind: 'plain' } | { kind: 'link'; target: string[]; fromRoot: boolean }> {
    const real = this.realPath([...resolved, part])
    const info = await whenPresent(originalPath, real, (path) => lstat(path))
    if (info === undefined) return 'absent'
    if (!follow || !info.isSymbolicLink()) return { kind: 'plain' }
    const target = await readlink(real)
    return {
      kind: 'link',
      target: target.split('/').filter((p) => p !== '' && p !== '.'),
      fromRoot: target.startsWith('/'),
    }
  }
}
