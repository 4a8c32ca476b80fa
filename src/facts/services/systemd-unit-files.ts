/**
 * @module
 * The unit files of a systemd host and their enablement states, computed from the unit links on
 * disk the way `systemctl list-unit-files` does (systemd 252, src/shared/install.c): no running
 * systemd is asked, so it works on an offline root too. The search path, the alias and link
 * rules and the order of the state decisions follow systemd; where systemd reports `bad` (a
 * dangling or self-referencing link, an unreadable file) so do we, with the reason.
 */
import path from 'node:path/posix'
import type { Host, HostDirEntry } from '../../host/host.ts'
import { HostPathError } from '../../host/host-path-error.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import {
  applyInstallSection,
  emptyInstallSection,
  type InstallSection,
  parseUnitFile,
  type UnitFileEntry,
} from './parse-unit-file.ts'
import { unitName } from './unit-name.ts'

export type UnitFileState =
  | 'enabled'
  | 'enabled-runtime'
  | 'linked'
  | 'linked-runtime'
  | 'alias'
  | 'masked'
  | 'masked-runtime'
  | 'static'
  | 'disabled'
  | 'indirect'
  | 'generated'
  | 'transient'
  | 'bad'

export interface UnitFile {
  /** 'sshd.service', 'getty@.service', 'getty@tty1.service'. */
  name: string
  /** Host path of the name in the first unit directory that has it (what systemctl lists). */
  path: string
  state: UnitFileState
  /** For state 'alias': the unit the name resolves to. */
  aliasOf?: string
  /** For state 'bad': why systemd could not load the unit file. */
  problem?: string
}

export interface SystemdUnitFiles {
  /** The unit directories that exist on the host, highest priority first. */
  unitDirs: string[]
  /** Sorted as `systemctl list-unit-files` prints them: by type, then by name. */
  units: UnitFile[]
  /** What `systemctl get-default` prints; absent when default.target does not resolve. */
  defaultTarget?: string
}

const persistentConfigDir = '/etc/systemd/system'
const transientDir = '/run/systemd/transient'
const generatorDirs = [
  '/run/systemd/generator.early',
  '/run/systemd/generator',
  '/run/systemd/generator.late',
]

/**
 * systemd's system-scope search path, highest priority first. /lib comes before /usr/lib as on
 * Debian; where /lib is a link to usr/lib (merged /usr, EL7+, Debian 12) both name one directory.
 */
const searchPath = [
  '/etc/systemd/system.control',
  '/run/systemd/system.control',
  transientDir,
  '/run/systemd/generator.early',
  persistentConfigDir,
  '/etc/systemd/system.attached',
  '/run/systemd/system',
  '/run/systemd/system.attached',
  '/run/systemd/generator',
  '/usr/local/lib/systemd/system',
  '/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/run/systemd/generator.late',
]

/** systemd gives up following a chain of unit symlinks after this many hops. */
const maxSymlinkHops = 64

interface UnitDir {
  path: string
  kinds: Map<string, HostDirEntry['kind']>
  /** Raw targets of the symlinks directly in the directory. */
  links: Map<string, string>
  /** Names of the symlinks in each *.wants/ and *.requires/ subdirectory. */
  dependencyLinks: string[][]
  /** `.conf` file names in each `<unit>.d/` drop-in directory, by directory name. */
  dropIns: Map<string, string[]>
}

class LookupError extends Error {}

type Loaded =
  | { mode: 'regular' | 'masked'; path: string }
  | { mode: 'alias' | 'linked'; path: string; target: string }

interface Resolved {
  /** The unit name the lookup ended on (the alias target, or the queried name). */
  name: string
  path: string
  mode: 'regular' | 'masked'
}

function isUnder(child: string, parent: string): boolean {
  return child === parent || child.startsWith(`${parent}/`)
}

function isRuntime(dir: string): boolean {
  return isUnder(dir, '/run')
}

function compareIgnoringCase(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}

/** systemctl's order: by type suffix, then by name, both ignoring case. */
function listOrder(a: UnitFile, b: UnitFile): number {
  return (
    compareIgnoringCase(unitName.type(a.name), unitName.type(b.name)) || compareIgnoringCase(a.name, b.name)
  )
}

async function readUnitDir(host: Host, dirPath: string): Promise<UnitDir | undefined> {
  const entries = await host.readDir(dirPath)
  if (!entries) return undefined
  const dir: UnitDir = {
    path: dirPath,
    kinds: new Map(entries.map((entry) => [entry.name, entry.kind])),
    links: new Map(),
    dependencyLinks: [],
    dropIns: new Map(),
  }
  await Promise.all(
    entries.map(async (entry) => {
      const entryPath = `${dirPath}/${entry.name}`
      if (entry.kind === 'symlink') {
        const target = await host.readLink(entryPath)
        if (target !== undefined) dir.links.set(entry.name, target)
        return
      }
      if (entry.kind !== 'directory') return
      if (entry.name.endsWith('.wants') || entry.name.endsWith('.requires')) {
        const links = (await host.readDir(entryPath)) ?? []
        dir.dependencyLinks.push(links.filter((link) => link.kind === 'symlink').map((link) => link.name))
      } else if (entry.name.endsWith('.d') && unitName.isValid(entry.name.slice(0, -2))) {
        const confs = (await host.readDir(entryPath)) ?? []
        dir.dropIns.set(
          entry.name,
          confs.filter((conf) => conf.kind !== 'directory' && conf.name.endsWith('.conf')).map((c) => c.name),
        )
      }
    }),
  )
  return dir
}

/** Why systemd refuses an alias symlink inside the search path (unit_validate_alias_symlink_or_warn). */
function aliasProblem(linkPath: string, target: string): string | undefined {
  const source = path.basename(linkPath)
  const destination = path.basename(target)
  const sourceKind = unitName.kind(source)
  if (sourceKind === undefined) return `${linkPath}: not a valid unit name`
  if (!unitName.mayAlias(source)) return `${linkPath}: symlinks are not allowed for units of this type`
  if (sourceKind !== 'plain' && !unitName.mayTemplate(source))
    return `${linkPath}: templates are not allowed for this unit type`
  if (source === destination) return `${linkPath}: unit self-alias: ${source} → ${destination}`
  const destinationKind = unitName.kind(destination)
  if (destinationKind === undefined) return `${linkPath} points to '${destination}', not a valid unit name`
  if (!(destinationKind === sourceKind || (sourceKind === 'instance' && destinationKind === 'template')))
    return `${linkPath}: symlink target name type of '${destination}' does not match the source`
  if (destinationKind === 'instance' && unitName.instanceOf(source) !== unitName.instanceOf(destination))
    return `${linkPath}: instance of symlink target '${destination}' does not match`
  if (unitName.type(source) !== unitName.type(destination))
    return `${linkPath}: symlink target '${destination}' has an incompatible suffix`
  return undefined
}

/** What the lookup needs of a unit file: whether it is empty (a mask) and its assignments. */
interface UnitFileContent {
  empty: boolean
  entries: UnitFileEntry[]
}

class UnitLookup {
  private readonly files = new Map<string, Promise<UnitFileContent | undefined>>()
  private readonly byPath: Map<string, UnitDir>

  constructor(
    private readonly host: Host,
    private readonly dirs: UnitDir[],
    private readonly warnings: ParseWarning[],
  ) {
    this.byPath = new Map(dirs.map((dir) => [dir.path, dir]))
  }

  /** Each unit file is read and parsed (and its warnings kept) once, however many names lead to it. */
  private readUnitFile(filePath: string): Promise<UnitFileContent | undefined> {
    let pending = this.files.get(filePath)
    if (!pending) {
      pending = this.host.readText(filePath).then((text) => {
        if (text === undefined) return undefined
        const { entries, warnings } = parseUnitFile(text, filePath)
        this.warnings.push(...warnings)
        return { empty: text.length === 0, entries }
      })
      this.files.set(filePath, pending)
    }
    return pending
  }

  private async kindOf(filePath: string): Promise<HostDirEntry['kind'] | undefined> {
    const known = this.byPath.get(path.dirname(filePath))
    if (known) return known.kinds.get(path.basename(filePath))
    return (await this.host.lstat(filePath))?.kind
  }

  private async isNullOrEmpty(target: string): Promise<boolean> {
    if (target === '/dev/null') return true
    const info = await this.host.stat(target)
    return info !== undefined && (info.kind === 'other' || (info.kind === 'file' && info.size === 0))
  }

  /** One step of systemd's unit_file_load_or_readlink: a file is loaded, a symlink is classified. */
  private async load(filePath: string): Promise<Loaded> {
    const kind = await this.kindOf(filePath)
    if (kind === undefined) throw new LookupError(`${filePath}: no such file`)
    if (kind === 'directory') throw new LookupError(`${filePath}: is a directory`)
    if (kind === 'other') return { mode: 'masked', path: filePath }
    if (kind === 'file') {
      const name = path.basename(filePath)
      if (unitName.kind(name) !== 'plain' && !unitName.mayTemplate(name))
        throw new LookupError(`${filePath}: templates are not allowed for this unit type`)
      const content = await this.readUnitFile(filePath)
      if (content === undefined) throw new LookupError(`${filePath}: no such file`)
      return { mode: content.empty ? 'masked' : 'regular', path: filePath }
    }
    const raw =
      this.byPath.get(path.dirname(filePath))?.links.get(path.basename(filePath)) ??
      (await this.host.readLink(filePath))
    if (raw === undefined) throw new LookupError(`${filePath}: no such file`)
    const target = path.resolve(path.dirname(filePath), raw)
    const inside = searchPath.some((dir) => isUnder(target, dir))
    if (inside) {
      const problem = aliasProblem(filePath, target)
      if (problem) throw new LookupError(problem)
    }
    if (await this.isNullOrEmpty(target)) return { mode: 'masked', path: filePath }
    return { mode: inside ? 'alias' : 'linked', path: filePath, target }
  }

  /** The first directory of the search path holding the name, else its template (unit_file_search). */
  private async search(name: string): Promise<Loaded> {
    const candidates = [name, unitName.templateOf(name)]
    for (const candidate of candidates) {
      if (candidate === undefined) continue
      const dir = this.dirs.find((d) => d.kinds.has(candidate))
      if (dir) return this.load(`${dir.path}/${candidate}`)
    }
    throw new LookupError(`cannot find unit ${name}`)
  }

  /** Follows aliases and links to the file that defines the unit (install_info_traverse). */
  async resolve(queried: string): Promise<Resolved> {
    let name = queried
    let loaded = await this.search(name)
    for (let hops = 0; loaded.mode === 'alias' || loaded.mode === 'linked'; hops++) {
      if (hops >= maxSymlinkHops) throw new LookupError(`${queried}: too many levels of symbolic links`)
      const targetName = path.basename(loaded.target)
      if (loaded.mode === 'linked' || targetName === name) {
        loaded = await this.load(loaded.target)
        continue
      }
      const instance = unitName.instanceOf(name)
      if (instance !== undefined && unitName.kind(targetName) === 'template') {
        const filled = unitName.withInstance(targetName, instance)
        if (filled === name) {
          loaded = await this.load(loaded.target)
          continue
        }
        name = filled
      } else {
        name = targetName
      }
      loaded = await this.search(name)
    }
    return { name, path: loaded.path, mode: loaded.mode }
  }

  /** [Install] of the unit file plus its drop-ins (`<name>.d/*.conf`, then the template's). */
  private async installOf(unit: Resolved): Promise<InstallSection> {
    const install = emptyInstallSection()
    applyInstallSection(install, (await this.readUnitFile(unit.path))?.entries ?? [], unit.name)
    const dropInDirs = [unit.name, unitName.templateOf(unit.name)].filter((n) => n !== undefined)
    const confs = new Map<string, string>()
    for (const dirName of dropInDirs.map((n) => `${n}.d`)) {
      for (const dir of this.dirs) {
        for (const conf of dir.dropIns.get(dirName) ?? []) {
          if (!confs.has(conf)) confs.set(conf, `${dir.path}/${dirName}/${conf}`)
        }
      }
    }
    const ordered = [...confs.keys()].sort().map((conf) => confs.get(conf) as string)
    for (const dropIn of await Promise.all(ordered.map((file) => this.readUnitFile(file))))
      applyInstallSection(install, dropIn?.entries ?? [], unit.name)
    return install
  }

  /** is_symlink_with_known_name: the link carries the unit's own name, an Alias= or its DefaultInstance. */
  private static isKnownName(unit: Resolved, install: InstallSection, linkName: string): boolean {
    if (linkName === unit.name || install.aliases.includes(linkName)) return true
    return (
      install.defaultInstance !== undefined &&
      unitName.kind(unit.name) === 'template' &&
      linkName === unitName.withInstance(unit.name, install.defaultInstance)
    )
  }

  /** find_symlinks in one unit directory: its *.wants/*.requires links first, then its own links. */
  private static findSymlinks(
    dir: UnitDir,
    unit: Resolved,
    install: InstallSection,
    matchName: boolean,
    ignoreSameName: boolean,
  ): { found: boolean; sameName: boolean } {
    const counts = (linkName: string) => !matchName || UnitLookup.isKnownName(unit, install, linkName)
    for (const links of dir.dependencyLinks) {
      for (const linkName of links) {
        // In dependency directories only the link's name counts, or the template it instantiates.
        const matches = linkName === unit.name || unitName.templateOf(linkName) === unit.name
        if (matches && counts(linkName)) return { found: true, sameName: false }
      }
    }
    let sameName = false
    for (const [linkName, raw] of dir.links) {
      const pointsHere = path.basename(raw) === unit.name
      const namedSo = !ignoreSameName && linkName === unit.name
      if (pointsHere && namedSo) sameName = true
      else if ((pointsHere || namedSo) && counts(linkName)) return { found: true, sameName: false }
    }
    return { found: false, sameName }
  }

  /** find_symlinks_in_scope: where, if anywhere, the unit is linked from. */
  private findSymlinksInScope(
    unit: Resolved,
    install: InstallSection,
    matchName: boolean,
  ): UnitFileState | undefined {
    let enabledInRuntime = false
    let enabledElsewhere = false
    let sameNameInConfig = false
    let sameNameInRuntime = false
    let ignoreSameName = false
    for (const dir of this.dirs) {
      const { found, sameName } = UnitLookup.findSymlinks(dir, unit, install, matchName, ignoreSameName)
      if (found) {
        if (dir.path === persistentConfigDir) return 'enabled'
        if (isRuntime(dir.path)) enabledInRuntime = true
        else enabledElsewhere = true
      } else if (sameName) {
        if (dir.path === persistentConfigDir) sameNameInConfig = true
        else if (isRuntime(dir.path)) sameNameInRuntime = true
      }
      // Same-name links below the unit file's own directory are shadowed by it.
      if (isUnder(unit.path, dir.path)) ignoreSameName = true
    }
    if (enabledInRuntime) return 'enabled-runtime'
    // An instance linked from a vendor directory is part of the distribution's set-up.
    if (enabledElsewhere && unitName.kind(unit.name) === 'instance') return 'static'
    if (sameNameInRuntime) return 'linked-runtime'
    if (sameNameInConfig) return 'linked'
    return undefined
  }

  /** unit_file_lookup_state. */
  async state(name: string): Promise<Pick<UnitFile, 'state' | 'aliasOf' | 'problem'>> {
    let unit: Resolved
    try {
      unit = await this.resolve(name)
    } catch (error) {
      if (error instanceof LookupError || error instanceof HostPathError)
        return { state: 'bad', problem: error.message }
      throw error
    }
    if (unit.mode === 'masked') return { state: isRuntime(unit.path) ? 'masked-runtime' : 'masked' }
    if (name !== path.basename(unit.path) && unitName.kind(unit.name) !== 'instance')
      return { state: 'alias', aliasOf: unit.name === name ? path.basename(unit.path) : unit.name }
    const unitDir = path.dirname(unit.path)
    if (generatorDirs.includes(unitDir)) return { state: 'generated' }
    if (unitDir === transientDir) return { state: 'transient' }
    const install = await this.installOf(unit)
    const linked = this.findSymlinksInScope(unit, install, true)
    if (linked) return { state: linked }
    if (this.findSymlinksInScope(unit, install, false)) return { state: 'indirect' }
    if (install.aliases.length + install.wantedBy.length + install.requiredBy.length > 0)
      return { state: 'disabled' }
    return { state: install.also.length > 0 ? 'indirect' : 'static' }
  }
}

/**
 * The host's unit files with their states, malformed lines of the unit files read added to
 * `warnings`; undefined when the host has no systemd unit directory.
 */
export async function systemdUnitFiles(
  host: Host,
  warnings: ParseWarning[],
): Promise<SystemdUnitFiles | undefined> {
  const dirs = (await Promise.all(searchPath.map((dir) => readUnitDir(host, dir)))).filter(
    (dir) => dir !== undefined,
  )
  if (dirs.length === 0) return undefined
  const lookup = new UnitLookup(host, dirs, warnings)

  const listed = new Map<string, string>()
  for (const dir of dirs) {
    for (const [name, kind] of dir.kinds) {
      if ((kind === 'file' || kind === 'symlink') && unitName.isValid(name) && !listed.has(name))
        listed.set(name, `${dir.path}/${name}`)
    }
  }
  const [units, defaultTarget] = await Promise.all([
    Promise.all(
      [...listed].map(
        async ([name, unitPath]): Promise<UnitFile> => ({
          name,
          path: unitPath,
          ...(await lookup.state(name)),
        }),
      ),
    ),
    lookup.resolve('default.target').then(
      (unit) => (unit.mode === 'regular' ? unit.name : undefined),
      () => undefined,
    ),
  ])
  units.sort(listOrder)
  return {
    unitDirs: dirs.map((dir) => dir.path),
    units,
    ...(defaultTarget ? { defaultTarget } : {}),
  }
}
