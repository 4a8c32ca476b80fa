/**
 * @module
 * dpkg's database of packages, /var/lib/dpkg/status: one deb822 stanza per package dpkg knows,
 * with its selection and state (`Status: install ok installed`), version, architecture and the
 * conffiles it owns. Kept whole (every state, every conffile) so that verification and the
 * installed-packages fact read the same parse.
 */
import type { ParseWarning } from '../../../host/parse-error.ts'
import { type Deb822Stanza, parseDeb822 } from './parse-deb822.ts'

export const dpkgStatusPath = '/var/lib/dpkg/status'

const wants = ['unknown', 'install', 'hold', 'deinstall', 'purge'] as const
const errorFlags = ['ok', 'reinstreq', 'hold', 'hold-reinstreq'] as const
const states = [
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
] as const

export type DpkgWant = (typeof wants)[number]
export type DpkgErrorFlag = (typeof errorFlags)[number]
export type DpkgState = (typeof states)[number]

export interface DebianVersion {
  /** Absent when the version has no epoch, or epoch 0 (which dpkg prints as none). */
  epoch?: number
  upstream: string
  /** Absent for native packages (no '-'). */
  revision?: string
}

export interface DpkgConffile {
  path: string
  /** MD5 of the file as shipped, or 'newconffile' while dpkg is installing it. */
  md5: string
  /** No longer shipped by the installed version; kept until the package is purged. */
  obsolete: boolean
  /** To be removed on the next upgrade (dpkg 1.20.7+). */
  removeOnUpgrade: boolean
}

export interface DpkgPackage {
  name: string
  /** 'amd64', 'all', …; empty when the stanza has none (packages from before multiarch). */
  arch: string
  want: DpkgWant
  errorFlag: DpkgErrorFlag
  state: DpkgState
  /** The Version field as written; empty when the stanza has none. */
  version: string
  /** Version split into its parts; absent when the version is empty or malformed. */
  parsedVersion?: DebianVersion
  maintainer?: string
  /** First line of Description. */
  summary?: string
  /** The Source field as written ('glibc', 'bash (5.2.15-2)'); absent when the package is its own source. */
  source?: string
  multiArch?: string
  conffiles: DpkgConffile[]
  /** 1-based line of the stanza in the status file. */
  line: number
}

/**
 * States in which the package's files are on disk, which is what "installed" means to a check.
 * `dpkg-query -W` also lists config-files packages (removed, only their conffiles left); those are
 * not installed.
 */
export function isInstalledState(state: DpkgState): boolean {
  return state !== 'not-installed' && state !== 'config-files'
}

const upstreamChars = /^[A-Za-z0-9.+~:-]+$/
const revisionChars = /^[A-Za-z0-9.+~]+$/

/** `[epoch:]upstream[-revision]` as dpkg parses it (deb-version(7)); a reason string when malformed. */
export function parseDebianVersion(text: string): DebianVersion | string {
  if (text === '') return 'version is empty'
  const colon = text.indexOf(':')
  let epoch: number | undefined
  if (colon >= 0) {
    const epochText = text.slice(0, colon)
    if (!/^\d+$/.test(epochText)) return `epoch '${epochText}' is not a number`
    epoch = Number(epochText)
  }
  const rest = text.slice(colon + 1)
  const hyphen = rest.lastIndexOf('-')
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen)
  const revision = hyphen < 0 ? undefined : rest.slice(hyphen + 1)
  if (upstream === '') return 'upstream version is empty'
  if (!upstreamChars.test(upstream)) return `invalid character in upstream version '${upstream}'`
  if (revision !== undefined && !revisionChars.test(revision))
    return revision === '' ? 'revision is empty' : `invalid character in revision '${revision}'`
  return {
    ...(epoch ? { epoch } : {}),
    upstream,
    ...(revision !== undefined ? { revision } : {}),
  }
}

/** Conffiles lines: `<path> <md5>[ obsolete][ remove-on-upgrade]`; the path may contain spaces. */
function parseConffile(text: string): DpkgConffile | undefined {
  const words = text.trim().split(' ')
  let obsolete = false
  let removeOnUpgrade = false
  for (let flag = words.at(-1); flag === 'obsolete' || flag === 'remove-on-upgrade'; flag = words.at(-1)) {
    if (flag === 'obsolete') obsolete = true
    else removeOnUpgrade = true
    words.pop()
  }
  const md5 = words.pop()
  const path = words.join(' ')
  if (md5 === undefined || !path.startsWith('/')) return undefined
  return { path, md5, obsolete, removeOnUpgrade }
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((candidate) => candidate === value)
}

function toPackage(stanza: Deb822Stanza, file: string, warnings: ParseWarning[]): DpkgPackage | undefined {
  const field = (name: string) => stanza.fields.get(name)
  const warn = (line: number, message: string) => warnings.push({ file, line, message })
  const name = field('package')?.value
  if (!name) {
    warn(stanza.line, 'stanza without a Package field')
    return undefined
  }
  const status = field('status')
  const words = (status?.value ?? '').split(/\s+/)
  const want = oneOf(wants, words[0])
  const errorFlag = oneOf(errorFlags, words[1])
  const state = oneOf(states, words[2])
  if (!status || !want || !errorFlag || !state || words.length !== 3) {
    warn(status?.line ?? stanza.line, `package ${name}: expected 'Status: <want> <flag> <state>'`)
    return undefined
  }

  const version = field('version')?.value ?? ''
  const parsedVersion = parseDebianVersion(version)
  if (typeof parsedVersion === 'string' && (version !== '' || isInstalledState(state)))
    warn(field('version')?.line ?? stanza.line, `package ${name}: ${parsedVersion}`)

  const conffiles: DpkgConffile[] = []
  const conffilesField = field('conffiles')
  conffilesField?.continuation.forEach((text, index) => {
    const conffile = parseConffile(text)
    if (conffile) conffiles.push(conffile)
    else warn(conffilesField.line + index + 1, `package ${name}: malformed conffile line '${text.trim()}'`)
  })

  const arch = field('architecture')?.value ?? ''
  if (arch === '' && isInstalledState(state)) warn(stanza.line, `package ${name}: no Architecture field`)
  const maintainer = field('maintainer')?.value
  const summary = field('description')?.value
  const source = field('source')?.value
  const multiArch = field('multi-arch')?.value
  return {
    name,
    arch,
    want,
    errorFlag,
    state,
    version,
    ...(typeof parsedVersion === 'string' ? {} : { parsedVersion }),
    ...(maintainer ? { maintainer } : {}),
    ...(summary ? { summary } : {}),
    ...(source ? { source } : {}),
    ...(multiArch ? { multiArch } : {}),
    conffiles,
    line: stanza.line,
  }
}

/** Every package stanza of a dpkg status file; malformed stanzas and lines become warnings. */
export function parseDpkgStatus(
  text: string,
  file = dpkgStatusPath,
): { packages: DpkgPackage[]; warnings: ParseWarning[] } {
  const { stanzas, warnings } = parseDeb822(text, file)
  const packages: DpkgPackage[] = []
  for (const stanza of stanzas) {
    const pkg = toPackage(stanza, file, warnings)
    if (pkg) packages.push(pkg)
  }
  return { packages, warnings }
}
