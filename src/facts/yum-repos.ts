/**
 * @module
 * yum/dnf repositories as the package manager would read them: [main] of /etc/yum.conf (or
 * /etc/dnf/dnf.conf) for reposdir and the gpgcheck default, every section of every *.repo file,
 * and the yum variables ($releasever, $basearch, $infra, files in /etc/yum/vars and /etc/dnf/vars)
 * expanded in the URLs. Offline there is no rpm to ask, so $releasever comes from the OS identity
 * and $basearch from the vars files, /etc/rpm/platform or the ELF header of rpm itself; a variable
 * nothing defines stays unexpanded and is listed as such.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import { type IniEntry, parseIni, sectionEntries } from './ini/parse-ini.ts'
import { type OsIdentity, osIdentity } from './os-identity.ts'

export interface YumVariable {
  value: string
  /** Where the value came from: a vars file, /etc/rpm/platform, '/usr/bin/rpm (ELF header)', the OS identity. */
  source: string
}

export interface YumUrl {
  /** As written, variables unexpanded. */
  raw: string
  /** With the host's variables substituted. */
  expanded: string
  /** Variables nothing on the host defines; they are left as written in `expanded`. */
  unresolved: string[]
  line: number
}

export interface YumGpgKey extends YumUrl {
  /** Host path of a file:// key (expanded). */
  path?: string
  /** Whether that file exists in the assessed root. */
  exists?: boolean
}

export interface YumRepo {
  id: string
  file: string
  /** Line of the `[id]` header. */
  line: number
  /** The expanded name= value. */
  name?: string
  /** enabled=, default 1. */
  enabled: boolean
  /** gpgcheck=, default the [main] value. */
  gpgcheck: boolean
  baseurls: YumUrl[]
  mirrorlist?: YumUrl
  metalink?: YumUrl
  gpgkeys: YumGpgKey[]
  /** Every key as written (lower-cased), with its first line: what a fix edits. */
  options: Record<string, { value: string; line: number }>
}

export interface YumRepos {
  manager: 'yum' | 'dnf'
  /** The file [main] was read from, when there is one. */
  mainConfig?: string
  reposDirs: string[]
  /** The .repo files read, in the order yum reads them. */
  files: string[]
  gpgcheckDefault: boolean
  variables: Record<string, YumVariable>
  /** Key files present in /etc/pki/rpm-gpg (host paths). */
  gpgKeyFiles: string[]
  repos: YumRepo[]
  warnings: ParseWarning[]
}

export const rpmKeyDirectory = '/etc/pki/rpm-gpg'

/** yum's BoolOption: anything else is an error yum reports and we turn into a warning. */
const booleanWords = new Map([
  ['1', true],
  ['yes', true],
  ['true', true],
  ['on', true],
  ['0', false],
  ['no', false],
  ['false', false],
  ['off', false],
])

/**
 * $releasever as yum computes it from the release package's version: '6Server' on RHEL 6 and 7
 * (redhat-release-server-6Server), the major elsewhere ('6' from centos-release-6-5).
 */
export function yumReleasever(os: Pick<OsIdentity, 'distro' | 'major' | 'variant'>): string | undefined {
  if (os.major === undefined) return undefined
  if (os.distro === 'rhel' && os.major <= 7 && os.variant) return `${os.major}${os.variant}`
  return String(os.major)
}

/** Substitutes $name and ${name} (names are case-insensitive, as yum lower-cases them); unknown ones stay. */
export function expandYumVariables(
  text: string,
  variables: Record<string, { value: string }>,
): { expanded: string; unresolved: string[] } {
  const unresolved = new Set<string>()
  const expanded = text.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare ?? '').toLowerCase()
    const variable = variables[name]
    if (variable) return variable.value
    unresolved.add(name)
    return match
  })
  return { expanded, unresolved: [...unresolved] }
}

/** rpmUtils' basearch of an arch. */
function basearchOf(arch: string): string {
  if (/^(i[3-6]86|athlon|geode)$/.test(arch)) return 'i386'
  if (arch === 'amd64' || arch === 'ia32e') return 'x86_64'
  if (/^armv7h/.test(arch)) return 'armhfp'
  if (/^ppc64p/.test(arch)) return 'ppc64'
  return arch
}

/** e_machine of the ELF header → rpm arch. */
function archFromElf(bytes: Buffer): string | undefined {
  if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) return undefined
  const littleEndian = bytes[5] === 1
  const machine = littleEndian ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18)
  const byMachine: Record<number, string> = {
    3: 'i686',
    62: 'x86_64',
    183: 'aarch64',
    21: littleEndian ? 'ppc64le' : 'ppc64',
    22: 's390x',
    40: 'armv7hl',
  }
  return byMachine[machine]
}

async function detectArch(host: Host): Promise<YumVariable | undefined> {
  const platform = (await host.readText('/etc/rpm/platform'))?.trim().split('-')[0]
  if (platform) return { value: platform, source: '/etc/rpm/platform' }
  for (const binary of ['/usr/bin/rpm', '/bin/rpm']) {
    const bytes = await host.readBytes(binary)
    const arch = bytes && archFromElf(bytes)
    if (arch) return { value: arch, source: `${binary} (ELF header)` }
  }
  return undefined
}

/** Each vars file defines the variable named after it with its first line, overriding the built-ins. */
async function readVariableFiles(host: Host, directories: string[]): Promise<Record<string, YumVariable>> {
  const variables: Record<string, YumVariable> = {}
  for (const directory of directories) {
    for (const entry of (await host.readDir(directory)) ?? []) {
      if (!/^\w+$/.test(entry.name)) continue
      const file = `${directory}/${entry.name}`
      if ((await host.stat(file))?.kind !== 'file') continue
      const value = ((await host.readText(file)) ?? '').split('\n')[0]?.trim() ?? ''
      variables[entry.name.toLowerCase()] = { value, source: file }
    }
  }
  return variables
}

function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean)
}

function parseBoolean(
  entry: IniEntry | undefined,
  fallback: boolean,
  file: string,
  warnings: ParseWarning[],
): boolean {
  if (!entry) return fallback
  const parsed = booleanWords.get(entry.value.toLowerCase())
  if (parsed !== undefined) return parsed
  warnings.push({
    file,
    line: entry.line,
    message: `${entry.key}='${entry.value}' is not a boolean (1/0, yes/no)`,
  })
  return fallback
}

interface ParsedFile {
  file: string
  doc: ReturnType<typeof parseIni>
}

export const yumRepos = defineFact({
  id: 'yumRepos',
  title: 'Package repositories (yum)',
  needs: { osIdentity },
  async collect({ host }, { osIdentity: os }): Promise<YumRepos> {
    const manager =
      (os.family === 'rhel' && (os.major ?? 0) >= 8) || (os.distro === 'fedora' && (os.major ?? 0) >= 22)
        ? 'dnf'
        : 'yum'
    const mainCandidates =
      manager === 'dnf' ? ['/etc/dnf/dnf.conf', '/etc/yum.conf'] : ['/etc/yum.conf', '/etc/dnf/dnf.conf']
    const warnings: ParseWarning[] = []

    let main: ParsedFile | undefined
    for (const file of mainCandidates) {
      const text = await host.readText(file)
      if (text === undefined) continue
      main = { file, doc: parseIni(text, file) }
      break
    }
    const mainEntries = main ? sectionEntries(main.doc, 'main') : new Map<string, IniEntry>()
    const gpgcheckDefault = parseBoolean(mainEntries.get('gpgcheck'), false, main?.file ?? '', warnings)
    const reposDirs = splitList(mainEntries.get('reposdir')?.value ?? '/etc/yum.repos.d /etc/yum/repos.d')
    const varsDirs = splitList(
      mainEntries.get('varsdir')?.value ??
        (manager === 'dnf' ? '/etc/dnf/vars /etc/yum/vars' : '/etc/yum/vars'),
    )

    const variables: Record<string, YumVariable> = {}
    const releasever = yumReleasever(os)
    if (releasever) variables.releasever = { value: releasever, source: os.source ?? 'the OS identity' }
    const arch = await detectArch(host)
    if (arch) {
      variables.arch = arch
      variables.basearch = { value: basearchOf(arch.value), source: arch.source }
    }
    Object.assign(variables, await readVariableFiles(host, varsDirs))

    const parsed: ParsedFile[] = main ? [main] : []
    const files: string[] = []
    const seenDirs = new Set<string>()
    for (const directory of reposDirs) {
      const real = await host.resolve(directory)
      if (real === undefined || seenDirs.has(real)) continue
      seenDirs.add(real)
      for (const entry of (await host.readDir(directory)) ?? []) {
        if (!entry.name.endsWith('.repo')) continue
        const file = `${directory.replace(/\/+$/, '')}/${entry.name}`
        const text = await host.readText(file)
        if (text === undefined) continue
        files.push(file)
        parsed.push({ file, doc: parseIni(text, file) })
      }
    }

    const keyFiles = ((await host.readDir(rpmKeyDirectory)) ?? []).map((e) => `${rpmKeyDirectory}/${e.name}`)
    const repos: YumRepo[] = []
    const firstDefinition = new Map<string, YumRepo>()
    for (const { file, doc } of parsed) {
      warnings.push(...doc.warnings)
      const names = [...new Set(doc.sections.map((s) => s.name))].filter((name) => name !== 'main')
      for (const id of names) {
        const header = doc.sections.find((s) => s.name === id)?.line ?? 0
        const earlier = firstDefinition.get(id)
        if (earlier) {
          warnings.push({
            file,
            line: header,
            message: `repository '${id}' is already defined at ${earlier.file}:${earlier.line}; yum ignores this one`,
          })
          continue
        }
        const repo = await buildRepo(host, id, file, header, sectionEntries(doc, id), {
          gpgcheckDefault,
          variables,
          keyFiles,
          warnings,
        })
        firstDefinition.set(id, repo)
        repos.push(repo)
      }
    }

    return {
      manager,
      ...(main ? { mainConfig: main.file } : {}),
      reposDirs,
      files,
      gpgcheckDefault,
      variables,
      gpgKeyFiles: keyFiles,
      repos,
      warnings,
    }
  },
})

async function buildRepo(
  host: Host,
  id: string,
  file: string,
  line: number,
  entries: Map<string, IniEntry>,
  context: {
    gpgcheckDefault: boolean
    variables: Record<string, YumVariable>
    keyFiles: string[]
    warnings: ParseWarning[]
  },
): Promise<YumRepo> {
  const url = (raw: string, at: number): YumUrl => ({
    raw,
    ...expandYumVariables(raw, context.variables),
    line: at,
  })
  const urls = (key: string) => {
    const entry = entries.get(key)
    // Each continuation line is its own physical line: keep it, so a fix can point at the very URL.
    return (entry?.value.split('\n') ?? []).flatMap((part, index) =>
      splitList(part).map((raw) => url(raw, entry?.lines[index] ?? 0)),
    )
  }
  const baseurls = urls('baseurl')
  const [mirrorlist] = urls('mirrorlist')
  const [metalink] = urls('metalink')
  if (baseurls.length === 0 && !mirrorlist && !metalink) {
    context.warnings.push({
      file,
      line,
      message: `repository '${id}' has no baseurl, mirrorlist or metalink`,
    })
  }
  const gpgkeys: YumGpgKey[] = []
  for (const key of urls('gpgkey')) {
    if (!key.expanded.startsWith('file://')) {
      gpgkeys.push(key)
      continue
    }
    const path = key.expanded.slice('file://'.length)
    const exists = context.keyFiles.includes(path) || (await host.stat(path))?.kind === 'file'
    gpgkeys.push({ ...key, path, exists })
  }
  const name = entries.get('name')
  return {
    id,
    file,
    line,
    ...(name ? { name: expandYumVariables(name.value, context.variables).expanded } : {}),
    enabled: parseBoolean(entries.get('enabled'), true, file, context.warnings),
    gpgcheck: parseBoolean(entries.get('gpgcheck'), context.gpgcheckDefault, file, context.warnings),
    baseurls,
    ...(mirrorlist ? { mirrorlist } : {}),
    ...(metalink ? { metalink } : {}),
    gpgkeys,
    options: Object.fromEntries(
      [...entries].map(([key, entry]) => [key, { value: entry.value, line: entry.line }]),
    ),
  }
}
