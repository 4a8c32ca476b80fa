/**
 * @module
 * The OpenSSH server's configuration as sshd reads it: /etc/ssh/sshd_config with its Include
 * files expanded in place (OpenSSH 8.2+: globs sorted, relative paths under /etc/ssh, at most 16
 * levels deep), Match blocks tracked, and the effective UseDNS: the first global value sshd
 * obtains, else the default of the installed sshd's version.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import { hostGlob } from './sshd-config/host-glob.ts'
import {
  compareOpensshVersions,
  type OpensshVersion,
  opensshVersion,
  upstreamUseDnsDefault,
} from './sshd-config/openssh-version.ts'
import { parseSshdConfig, type SshdConfigFile } from './sshd-config/parse-sshd-config.ts'

export interface SshdLocation {
  file: string
  line: number
}

/** A keyword line in the order sshd processes it (Include expanded where it stands). */
export interface SshdDirective extends SshdLocation {
  keyword: string
  args: string[]
  /** The Match line of the conditional block this directive is in ('Match all' blocks are global). */
  match?: SshdLocation
}

export interface UseDnsSetting {
  /** The first UseDNS outside any Match block: sshd keeps the first value it obtains. */
  explicit?: SshdLocation & { value: boolean }
  /** UseDNS lines inside Match blocks; sshd refuses to start on them (a global-only keyword). */
  inMatch: (SshdLocation & { match: SshdLocation })[]
  /** The version's built-in default: yes before OpenSSH 6.8, no since. Absent when the version is unknown. */
  upstreamDefault?: boolean
  /** `explicit` if set, else `upstreamDefault`. */
  effective?: boolean
}

export interface SshdConfig {
  /** False when there is neither an sshd binary nor /etc/ssh/sshd_config. */
  installed: boolean
  /** Host path of the sshd binary whose banner was read. */
  binary?: string
  version: OpensshVersion | 'unknown'
  /** The main file first, then each included file once, in the order first read. */
  files: SshdConfigFile[]
  directives: SshdDirective[]
  /** The first conditional Match line: a global keyword added below it would fall into its block. */
  firstMatch?: SshdLocation
  useDns: UseDnsSetting
  warnings: ParseWarning[]
}

export const sshdConfigPath = '/etc/ssh/sshd_config'
const sshdBinaries = ['/usr/sbin/sshd', '/sbin/sshd']
/** Relative Include paths are taken from here (SSHDIR). */
const sshDirectory = '/etc/ssh'
/** servconf.c SERVCONF_MAX_DEPTH. */
const maxIncludeDepth = 16
const includeSince: OpensshVersion = { banner: 'OpenSSH_8.2', major: 8, minor: 2 }

async function readBinary(host: Host): Promise<{ path: string; bytes: Buffer } | undefined> {
  for (const path of sshdBinaries) {
    const info = await host.stat(path)
    if (info?.kind !== 'file') continue
    const bytes = await host.readBytes(path)
    if (bytes) return { path, bytes }
  }
  return undefined
}

/** Walks the configuration as sshd does, collecting directives in processing order. */
class ConfigWalker {
  readonly files: SshdConfigFile[] = []
  readonly directives: SshdDirective[] = []
  readonly warnings: ParseWarning[] = []

  constructor(
    private readonly host: Host,
    private readonly version: OpensshVersion | 'unknown',
  ) {}

  async walk(file: SshdConfigFile, depth: number, enclosingMatch: SshdLocation | undefined): Promise<void> {
    if (!this.files.some((seen) => seen.path === file.path)) {
      this.files.push(file)
      this.warnings.push(...file.warnings)
    }
    let match = enclosingMatch
    for (const line of file.lines) {
      if (line.keyword === undefined) continue
      const here = { file: file.path, line: line.line }
      if (line.keyword === 'match') {
        match = isMatchAll(line.args) ? undefined : here
        this.directives.push({ ...here, keyword: line.keyword, args: line.args })
        continue
      }
      this.directives.push({ ...here, keyword: line.keyword, args: line.args, ...(match ? { match } : {}) })
      if (line.keyword === 'include') await this.include(line.args, here, depth + 1, match)
    }
  }

  private async include(
    patterns: string[],
    at: SshdLocation,
    depth: number,
    match: SshdLocation | undefined,
  ): Promise<void> {
    if (this.version !== 'unknown' && compareOpensshVersions(this.version, includeSince) < 0) {
      this.warnings.push({
        ...at,
        message: `Include needs OpenSSH 8.2 or later; ${this.version.banner} refuses to start on it`,
      })
    }
    if (depth > maxIncludeDepth) {
      this.warnings.push({
        ...at,
        message: `Include nested more than ${maxIncludeDepth} levels deep (sshd refuses to start)`,
      })
      return
    }
    for (const pattern of patterns) {
      const absolute = pattern.startsWith('/') ? pattern : `${sshDirectory}/${pattern}`
      for (const path of await hostGlob(this.host, absolute)) {
        if ((await this.host.stat(path))?.kind !== 'file') {
          this.warnings.push({
            ...at,
            message: `Include matches ${path}, which is not a file (sshd refuses to start)`,
          })
          continue
        }
        const text = await this.host.readText(path)
        if (text !== undefined) await this.walk(parseSshdConfig(text, path), depth, match)
      }
    }
  }
}

/**
 * 'Match all' is the one criterion true without a connection, so sshd applies its block while
 * reading the configuration: keywords in it act as global ones.
 */
function isMatchAll(criteria: string[]): boolean {
  return criteria.length === 1 && criteria[0]?.toLowerCase() === 'all'
}

function parseFlag(value: string | undefined): boolean | undefined {
  const lower = value?.toLowerCase()
  return lower === 'yes' ? true : lower === 'no' ? false : undefined
}

function useDnsSetting(
  directives: SshdDirective[],
  version: OpensshVersion | 'unknown',
  warnings: ParseWarning[],
): UseDnsSetting {
  const setting: UseDnsSetting = { inMatch: [] }
  for (const directive of directives) {
    if (directive.keyword !== 'usedns') continue
    const where = { file: directive.file, line: directive.line }
    const value = parseFlag(directive.args[0])
    if (value === undefined) {
      warnings.push({
        ...where,
        message: `UseDNS takes yes or no, not '${directive.args[0]}' (sshd refuses to start)`,
      })
      continue
    }
    if (directive.args.length > 1) {
      warnings.push({
        ...where,
        message: 'extra arguments after UseDNS (newer sshd versions refuse to start)',
      })
    }
    if (directive.match) {
      setting.inMatch.push({ ...where, match: directive.match })
      warnings.push({
        ...where,
        message: `UseDNS is not allowed inside the Match block of ${directive.match.file}:${directive.match.line} (sshd refuses to start)`,
      })
    } else setting.explicit ??= { ...where, value }
  }
  if (version !== 'unknown') setting.upstreamDefault = upstreamUseDnsDefault(version)
  const effective = setting.explicit?.value ?? setting.upstreamDefault
  if (effective !== undefined) setting.effective = effective
  return setting
}

/** Reads the configuration starting at `configPath` (sshd -f), as the installed sshd would. */
export async function readSshdConfig(host: Host, configPath = sshdConfigPath): Promise<SshdConfig> {
  const binary = await readBinary(host)
  const version = (binary && opensshVersion(binary.bytes)) ?? 'unknown'
  const mainText = await host.readText(configPath)
  const walker = new ConfigWalker(host, version)
  if (mainText !== undefined) await walker.walk(parseSshdConfig(mainText, configPath), 0, undefined)
  const firstMatch = walker.directives.find(
    (directive) => directive.keyword === 'match' && !isMatchAll(directive.args),
  )
  return {
    installed: binary !== undefined || mainText !== undefined,
    ...(binary ? { binary: binary.path } : {}),
    version,
    files: walker.files,
    directives: walker.directives,
    ...(firstMatch ? { firstMatch: { file: firstMatch.file, line: firstMatch.line } } : {}),
    useDns: useDnsSetting(walker.directives, version, walker.warnings),
    warnings: walker.warnings,
  }
}

export const sshdConfig = defineFact({
  id: 'sshdConfig',
  title: 'OpenSSH server configuration',
  collect: ({ host }) => readSshdConfig(host),
})
