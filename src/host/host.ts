/**
 * @module
 * The only door to the disk of the host being assessed. Every path a collector asks for is a path
 * *on the assessed host* ('/etc/passwd'); the host maps it into its root and resolves symlinks
 * itself, so an absolute link inside an offline root points back into that root and `..` never
 * climbs above it.
 *
 * Package databases store file names as bytes, and some are not UTF-8: `inspectFiles` and `stat`
 * also take such a name as a Buffer. The resolver works on byte strings (one latin1 character per
 * byte, so splitting on '/' and joining never alters a name) and turns them back into bytes right
 * before each fs call.
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

/** A host path: text, or the exact bytes of a name that need not be UTF-8. */
export type HostPath = string | Buffer

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
  stat(hostPath: HostPath): Promise<HostStat | undefined>
  /** Stat of the path itself; the last component is not followed. */
  lstat(hostPath: string): Promise<HostStat | undefined>
  /** The raw target of a symlink, as stored; undefined when absent or not a link. */
  readLink(hostPath: string): Promise<string | undefined>
  /**
   * lstat of many paths at once (last component not followed) with symlink targets and, for the
   * files `choose` picks, a streamed content digest; in request order. Runs on a pool of worker
   * threads, so verifying a whole package database keeps every core hashing.
   */
  inspectFiles(hostPaths: readonly HostPath[], choose: DigestChoice): Promise<InspectedFile[]>
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

const nonAscii = /[\u0080-\uffff]/

/** A path as a byte string: one character per byte (latin1), so bytes that are not UTF-8 survive splitting and joining. */
export function toByteString(hostPath: HostPath): string {
  if (typeof hostPath !== 'string') return hostPath.toString('latin1')
  return nonAscii.test(hostPath) ? Buffer.from(hostPath, 'utf8').toString('latin1') : hostPath
}

/**
 * A byte string back as its exact bytes, as fs and the host take them (ASCII stays text). Not from
 * Buffer's shared pool, so posting it to a worker copies only its own bytes.
 */
export function fromByteString(bytes: string): HostPath {
  if (!nonAscii.test(bytes)) return bytes
  const buffer = Buffer.alloc(bytes.length)
  buffer.write(bytes, 'latin1')
  return buffer
}

/** A byte string as text, for the public `resolve`. */
function textPath(bytes: string): string {
  return nonAscii.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes
}

/** A host path as error messages name it. */
function shownPath(hostPath: HostPath): string {
  return typeof hostPath === 'string' ? hostPath : hostPath.toString('utf8')
}

/**
 * `operation` on a resolved real path: undefined when the path does not resolve or the file is
 * absent; any other failure as a HostPathError naming the host path.
 */
async function whenPresent<T>(
  hostPath: HostPath,
  real: string | undefined,
  operation: (real: string | Buffer) => Promise<T>,
): Promise<T | undefined> {
  if (real === undefined) return undefined
  try {
    return await operation(fromByteString(real))
  } catch (error) {
    if (isAbsent(error)) return undefined
    throw HostPathError.from(shownPath(hostPath), error)
  }
}

/** Normalises a host path (a byte string) to an absolute, '.'-free form; '..' is kept for the resolver to apply. */
function hostComponents(bytes: string, hostPath: HostPath): string[] {
  if (!bytes.startsWith('/'))
    throw new HostPathError(shownPath(hostPath), 'EINVAL', 'host paths must be absolute')
  return bytes.split('/').filter((part) => part !== '' && part !== '.')
}

abstract class BaseHost implements Host {
  abstract readonly root: string
  abstract readonly live: boolean
  /** The real path as a byte string, symlinks resolved (the last one only when `followLast`). */
  protected abstract resolveBytes(hostPath: HostPath, followLast: boolean): Promise<string | undefined>
  /** As resolveBytes without following the last link, for many paths, without checking that the last components exist (the inspector lstats them). */
  protected abstract inspectionPaths(hostPaths: readonly HostPath[]): Promise<ResolvedPath[]>

  async resolve(hostPath: string): Promise<string | undefined> {
    const real = await this.resolveBytes(hostPath, true)
    return real === undefined ? undefined : textPath(real)
  }

  async readBytes(hostPath: string): Promise<Buffer | undefined> {
    const real = await this.resolveBytes(hostPath, true)
    if (real === undefined) return undefined
    let handle: Awaited<ReturnType<typeof open>>
    try {
      handle = await open(fromByteString(real), 'r')
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
    return whenPresent(hostPath, await this.resolveBytes(hostPath, true), async (real) => {
      const entries = await readdir(real, { withFileTypes: true })
      return entries
        .map((entry) => ({ name: entry.name, kind: kindOf(entry) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    })
  }

  async stat(hostPath: HostPath): Promise<HostStat | undefined> {
    return whenPresent(hostPath, await this.resolveBytes(hostPath, true), async (real) =>
      toHostStat(await stat(real)),
    )
  }

  async lstat(hostPath: string): Promise<HostStat | undefined> {
    return whenPresent(hostPath, await this.resolveBytes(hostPath, false), async (real) =>
      toHostStat(await lstat(real)),
    )
  }

  async readLink(hostPath: string): Promise<string | undefined> {
    return whenPresent(hostPath, await this.resolveBytes(hostPath, false), (real) =>
      readlink(real).catch((error: NodeJS.ErrnoException) => {
        // EINVAL: the path is not a symbolic link.
        if (error.code === 'EINVAL') return undefined
        throw error
      }),
    )
  }

  async inspectFiles(hostPaths: readonly HostPath[], choose: DigestChoice): Promise<InspectedFile[]> {
    const parents = await this.inspectionPaths(hostPaths)
    return inspectFiles(parents, choose, (index) =>
      resolvedPath(hostPaths[index] ?? '', (p) => this.resolveBytes(p, true)),
    )
  }
}

/** A resolver's answer (a byte string) as the file inspector takes it: the real path, or why there is none. */
async function resolvedPath(
  hostPath: HostPath,
  resolver: (hostPath: HostPath) => Promise<string | undefined>,
): Promise<ResolvedPath> {
  try {
    const real = await resolver(hostPath)
    return real === undefined ? { error: 'ENOENT' } : { real: fromByteString(real) }
  } catch (error) {
    return { error: HostPathError.from(shownPath(hostPath), error).code }
  }
}

/** The running system: the kernel already resolves links against the real '/'. */
class LiveHost extends BaseHost {
  readonly root = '/'
  readonly live = true

  protected async resolveBytes(hostPath: HostPath): Promise<string | undefined> {
    const bytes = toByteString(hostPath)
    return `/${hostComponents(bytes, hostPath).join('/')}`
  }

  protected async inspectionPaths(hostPaths: readonly HostPath[]): Promise<ResolvedPath[]> {
    // Package databases list clean absolute paths: those need no splitting and joining.
    const clean = /^(?:\/(?!\.{1,2}(?:\/|$))[^/]+)+$/
    return Promise.all(
      hostPaths.map((hostPath) =>
        typeof hostPath === 'string' && clean.test(hostPath)
          ? { real: hostPath }
          : resolvedPath(hostPath, (p) => this.resolveBytes(p)),
      ),
    )
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

  /** The root as a byte string. */
  private readonly rootBytes: string

  constructor(readonly root: string) {
    super()
    this.rootBytes = toByteString(root)
  }

  protected async resolveBytes(hostPath: HostPath, followLast: boolean): Promise<string | undefined> {
    const parts = await this.resolveParts(
      hostComponents(toByteString(hostPath), hostPath),
      followLast,
      hostPath,
    )
    return parts && this.realPath(parts)
  }

  protected inspectionPaths(hostPaths: readonly HostPath[]): Promise<ResolvedPath[]> {
    const unchecked = async (hostPath: HostPath) => {
      const parts = hostComponents(toByteString(hostPath), hostPath)
      const last = parts[parts.length - 1]
      if (last === undefined || parts.includes('..')) return this.resolveBytes(hostPath, false)
      const dir = await this.resolveDir(parts.slice(0, -1), hostPath)
      return dir && this.realPath([...dir, last])
    }
    return Promise.all(hostPaths.map((hostPath) => resolvedPath(hostPath, unchecked)))
  }

  /** The real path of resolved components, as a byte string. */
  private realPath(parts: string[]): string {
    return parts.length === 0 ? this.rootBytes : path.join(this.rootBytes, ...parts)
  }

  private resolveParts(
    parts: string[],
    followLast: boolean,
    originalPath: HostPath,
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
  private resolveDir(parts: string[], originalPath: HostPath): Promise<string[] | undefined> {
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
    originalPath: HostPath,
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
        throw new HostPathError(shownPath(originalPath), 'ELOOP', 'too many levels of symbolic links')
      pending.unshift(...next.target)
      if (next.fromRoot) resolved = []
    }
    return resolved
  }

  private async step(
    resolved: string[],
    part: string,
    follow: boolean,
    originalPath: HostPath,
  ): Promise<'absent' | { kind: 'plain' } | { kind: 'link'; target: string[]; fromRoot: boolean }> {
    const real = this.realPath([...resolved, part])
    const info = await whenPresent(originalPath, real, (path) => lstat(path))
    if (info === undefined) return 'absent'
    if (!follow || !info.isSymbolicLink()) return { kind: 'plain' }
    const target = await readlink(fromByteString(real), { encoding: 'latin1' })
    return {
      kind: 'link',
      target: target.split('/').filter((p) => p !== '' && p !== '.'),
      fromRoot: target.startsWith('/'),
    }
  }
}
