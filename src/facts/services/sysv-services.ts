/**
 * @module
 * SysV init services as `chkconfig --list` sees them on EL6 (chkconfig 1.3, leveldb.c): the
 * scripts in init.d that carry a `# chkconfig:` line or an LSB INIT INFO block, on/off per
 * runlevel from the S/K links in rc0.d … rc6.d, the xinetd services with their `disable`
 * setting, and the default runlevel from /etc/inittab.
 */
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'

export interface InitScriptHeader {
  /** Runlevels `chkconfig --add` turns the service on in: the `# chkconfig:` levels, else LSB Default-Start. */
  defaultStart: number[]
  /** Priorities of the `# chkconfig:` line; LSB-only scripts get theirs from their dependencies. */
  startPriority?: number
  stopPriority?: number
  /** The script has an LSB INIT INFO block that chkconfig read. */
  lsb: boolean
}

export interface SysvService {
  name: string
  /** Host path of the init script. */
  script: string
  /** Absent when chkconfig would say the service "does not support chkconfig". */
  header?: InitScriptHeader
  /** Index = runlevel 0–6; true when rcN.d has an S<NN><name> link (chkconfig's "on"). */
  runlevels: boolean[]
  /** rcN.d has an S or K link for it in some runlevel; chkconfig --list shows only such services. */
  configured: boolean
}

export interface XinetdService {
  name: string
  /** Host path of the file in /etc/xinetd.d. */
  file: string
  /** False when the file says `disable = yes`. */
  enabled: boolean
}

export interface SysvServices {
  /** '/etc/rc.d' on EL, '/etc' elsewhere: the directory holding init.d/ and rc0.d/ … rc6.d/. */
  rcBase: string
  /** Sorted by name as chkconfig sorts them (byte order). */
  services: SysvService[]
  /** Absent when the host has no /etc/xinetd.d. */
  xinetd?: XinetdService[]
  /** The `initdefault` entry of /etc/inittab (EL6: `id:3:initdefault:`). */
  defaultRunlevel?: number
}

const runlevels = [0, 1, 2, 3, 4, 5, 6]
const xinetdDir = '/etc/xinetd.d'
const inittab = '/etc/inittab'

/** Names chkconfig skips in init.d/ and xinetd.d/: hidden files, package-manager leftovers, editor backups. */
function isSkippedName(name: string): boolean {
  if (name.startsWith('.') || name.endsWith('~') || name.endsWith(',')) return true
  const extension = name.slice(name.lastIndexOf('.'))
  return ['.rpmsave', '.rpmnew', '.rpmorig', '.swp'].includes(extension)
}

function byteOrder(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** chkconfig's parseLevels: every character a runlevel digit 0–6. */
function parseLevelDigits(text: string): number[] | undefined {
  return /^[0-6]+$/.test(text) ? [...text].map(Number) : undefined
}

/** Levels named in an LSB `Default-Start:`/`Default-Stop:` value; reading stops at the first non-number, as strtol does. */
function lsbLevels(value: string): number[] {
  const levels: number[] = []
  for (const word of value.trim().split(/\s+/)) {
    if (!/^\d+$/.test(word)) break
    levels.push(Number(word))
  }
  return levels
}

function hasDescription(afterKeyword: string): boolean {
  return afterKeyword.startsWith(':') && afterKeyword.slice(1).trim() !== ''
}

/**
 * The chkconfig header of an init script, read the way chkconfig's parseServiceInfo reads it:
 * comment lines only, stopping once it has both the levels and a description; a malformed
 * `# chkconfig:` line makes chkconfig ignore the whole script, and is reported as a warning.
 */
export function parseInitScriptHeader(
  text: string,
  file: string,
): { header?: InitScriptHeader; warning?: ParseWarning } {
  let levels: Set<number> | undefined
  let startPriority: number | undefined
  let stopPriority: number | undefined
  let lsb = false
  let described = false
  const lines = text.split('\n')
  for (let index = 0; index < lines.length && (levels === undefined || !described); index++) {
    const line = (lines[index] ?? '').trimStart()
    if (!line.startsWith('#')) continue
    if (line.startsWith('### BEGIN INIT INFO')) lsb = true
    const comment = line.slice(1).trimStart()
    if (comment.startsWith('chkconfig:')) {
      const match = /^(\S{1,15})\s+([+-]?\d+)\s+([+-]?\d+)(?:\s|$)/.exec(comment.slice(10).trim())
      const start = Number(match?.[2])
      const stop = Number(match?.[3])
      const levelText = match?.[1] ?? ''
      const parsedLevels = levelText === '-' ? [] : parseLevelDigits(levelText)
      if (!match || !(start >= 0 && start <= 99 && stop >= 0 && stop <= 99) || !parsedLevels) {
        const message = `malformed '# chkconfig: <levels> <start> <stop>' line; chkconfig ignores this script`
        return { warning: { file, line: index + 1, message } }
      }
      startPriority ??= start
      stopPriority ??= stop
      levels ??= new Set(parsedLevels)
    } else if (comment.startsWith('description') || comment.startsWith('Description:')) {
      described ||= hasDescription(comment.slice('description'.length))
    } else if (comment.startsWith('Short-Description:')) {
      described ||= hasDescription(comment.slice('Short-Description'.length))
    } else if (comment.startsWith('Default-Start:')) {
      levels ??= new Set()
      for (const level of lsbLevels(comment.slice('Default-Start:'.length))) levels.add(level)
    } else if (comment.startsWith('Default-Stop:')) {
      levels ??= new Set()
      for (const level of lsbLevels(comment.slice('Default-Stop:'.length))) levels.delete(level)
    }
  }
  if (levels === undefined) return {}
  if (!lsb && (startPriority === undefined || stopPriority === undefined)) return {}
  return {
    header: {
      defaultStart: [...levels].filter((level) => level <= 6).sort((a, b) => a - b),
      ...(startPriority !== undefined ? { startPriority } : {}),
      ...(stopPriority !== undefined ? { stopPriority } : {}),
      lsb,
    },
  }
}

/** `disable = yes` turns a service off; any other value, or no `disable` line, leaves it on. */
export function parseXinetdService(
  text: string,
  file: string,
): { enabled: boolean; warnings: ParseWarning[] } {
  let enabled = true
  const warnings: ParseWarning[] = []
  text.split('\n').forEach((line, index) => {
    if (line.startsWith('#')) return
    const content = line.trimStart()
    if (!content.startsWith('disable')) return
    const eq = content.indexOf('=')
    if (eq < 0) {
      warnings.push({ file, line: index + 1, message: `'disable' without '='; chkconfig reads it as off` })
      enabled = false
      return
    }
    enabled = !content
      .slice(eq + 1)
      .trimStart()
      .startsWith('yes')
  })
  return { enabled, warnings }
}

/** The initdefault runlevel of an inittab(5) file (`id:runlevels:action:process`). */
export function parseInittab(
  text: string,
  file = inittab,
): { defaultRunlevel?: number; warnings: ParseWarning[] } {
  let defaultRunlevel: number | undefined
  const warnings: ParseWarning[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(':')
    if (fields.length < 4) {
      warnings.push({
        file,
        line: index + 1,
        message: `expected id:runlevels:action:process, found '${line}'`,
      })
      return
    }
    if (fields[2] !== 'initdefault') return
    if (!/^[0-6]$/.test(fields[1] ?? '')) {
      warnings.push({
        file,
        line: index + 1,
        message: `initdefault runlevel '${fields[1]}' is not one of 0-6`,
      })
      return
    }
    defaultRunlevel = Number(fields[1])
  })
  return { ...(defaultRunlevel !== undefined ? { defaultRunlevel } : {}), warnings }
}

/** Names of the regular files (links followed) in a directory that chkconfig would read. */
async function candidateFiles(host: Host, dir: string): Promise<string[] | undefined> {
  const entries = await host.readDir(dir)
  if (!entries) return undefined
  const names = await Promise.all(
    entries
      .filter((entry) => !isSkippedName(entry.name))
      .map(async (entry) => {
        const kind = entry.kind === 'symlink' ? (await host.stat(`${dir}/${entry.name}`))?.kind : entry.kind
        return kind === 'file' ? entry.name : undefined
      }),
  )
  return names.filter((name) => name !== undefined)
}

/** Per runlevel, the S/K links of rcN.d by service name: 'S' wins over 'K' when both exist. */
async function runlevelLinks(host: Host, rcBase: string): Promise<Map<string, 'S' | 'K'>[]> {
  return Promise.all(
    runlevels.map(async (level) => {
      const links = new Map<string, 'S' | 'K'>()
      for (const entry of (await host.readDir(`${rcBase}/rc${level}.d`)) ?? []) {
        const match = /^([SK])\d\d(.+)$/.exec(entry.name)
        if (!match) continue
        const [, kind, service = ''] = match
        if (kind === 'S' || !links.has(service)) links.set(service, kind as 'S' | 'K')
      }
      return links
    }),
  )
}

async function readScripts(host: Host, initDir: string, warnings: ParseWarning[]) {
  const names = (await candidateFiles(host, initDir)) ?? []
  return Promise.all(
    names.map(async (name) => {
      const script = `${initDir}/${name}`
      const { header, warning } = parseInitScriptHeader((await host.readText(script)) ?? '', script)
      if (warning) warnings.push(warning)
      return { name, script, header }
    }),
  )
}

async function readXinetd(host: Host, warnings: ParseWarning[]): Promise<XinetdService[] | undefined> {
  const names = await candidateFiles(host, xinetdDir)
  if (!names) return undefined
  const services = await Promise.all(
    names.map(async (name) => {
      const file = `${xinetdDir}/${name}`
      const parsed = parseXinetdService((await host.readText(file)) ?? '', file)
      warnings.push(...parsed.warnings)
      return { name, file, enabled: parsed.enabled }
    }),
  )
  return services.sort(byteOrder)
}

async function findRcBase(host: Host): Promise<string | undefined> {
  for (const base of ['/etc/rc.d', '/etc']) {
    if ((await host.stat(`${base}/init.d`))?.kind === 'directory') return base
  }
  return undefined
}

/** The host's SysV services, malformed lines added to `warnings`; undefined when it has no init.d directory. */
export async function sysvServices(host: Host, warnings: ParseWarning[]): Promise<SysvServices | undefined> {
  const rcBase = await findRcBase(host)
  if (rcBase === undefined) return undefined
  const [scripts, links, xinetd, inittabText] = await Promise.all([
    readScripts(host, `${rcBase}/init.d`, warnings),
    runlevelLinks(host, rcBase),
    readXinetd(host, warnings),
    host.readText(inittab),
  ])
  const services = scripts
    .map(({ name, script, header }): SysvService => {
      const perLevel = links.map((level) => level.get(name))
      return {
        name,
        script,
        ...(header ? { header } : {}),
        runlevels: perLevel.map((kind) => kind === 'S'),
        configured: perLevel.some((kind) => kind !== undefined),
      }
    })
    .sort(byteOrder)
  const { defaultRunlevel, warnings: inittabWarnings } =
    inittabText === undefined ? { warnings: [] } : parseInittab(inittabText)
  warnings.push(...inittabWarnings)
  return {
    rcBase,
    services,
    ...(xinetd ? { xinetd } : {}),
    ...(defaultRunlevel !== undefined ? { defaultRunlevel } : {}),
  }
}
