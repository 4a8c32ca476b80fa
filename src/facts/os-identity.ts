/**
 * @module
 * OS identity: os-release first (systemd era), then the EL release files (CentOS 6 has no
 * os-release), then debian_version for the point release Debian keeps out of os-release.
 */
import { defineFact } from './define-fact.ts'

export type OsFamily = 'rhel' | 'debian' | 'suse' | 'unknown'

export interface OsIdentity {
  /** os-release ID, or derived from the release file: 'centos', 'rhel', 'debian', … */
  distro: string
  family: OsFamily
  /** Human name, e.g. 'CentOS release 6.5 (Final)'. */
  name: string
  /** Full version as the distribution prints it: '6.5', '7.0.1406', '12.7'. Empty when unknown. */
  version: string
  major?: number
  minor?: number
  /** RHEL variant (Server, Workstation, …) when the release file or os-release names one. */
  variant?: string
  codename?: string
  /** The file the version came from. */
  source?: string
}

const elReleaseFiles = ['/etc/redhat-release', '/etc/centos-release', '/etc/system-release']

export const osIdentity = defineFact({
  id: 'osIdentity',
  title: 'Operating system',
  async collect({ host }): Promise<OsIdentity> {
    const osReleaseText =
      (await host.readText('/etc/os-release')) ?? (await host.readText('/usr/lib/os-release'))
    const fields = osReleaseText === undefined ? new Map<string, string>() : parseOsRelease(osReleaseText)
    let identity = fromOsRelease(fields)

    for (const file of elReleaseFiles) {
      const text = await host.readText(file)
      if (text === undefined) continue
      const fromFile = parseElRelease(text.trim(), file)
      if (fromFile)
        identity = { ...identity, ...fromFile, distro: identity.distro || (fromFile.distro ?? '') }
      break
    }

    const debianVersion = (await host.readText('/etc/debian_version'))?.trim()
    if (debianVersion && (identity.family === 'debian' || identity.distro === '')) {
      identity = { ...identity, ...fromDebianVersion(debianVersion, identity) }
    }
    if (identity.distro === '') identity.distro = 'unknown'
    return identity
  },
})

/** os-release(5): KEY=value lines, values optionally quoted with shell-like escapes. */
function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    let value = line.slice(eq + 1)
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1')
    }
    fields.set(line.slice(0, eq), value)
  }
  return fields
}

function familyOf(id: string, idLike: string): OsFamily {
  const ids = `${id} ${idLike}`.split(/\s+/)
  if (ids.some((x) => ['rhel', 'fedora', 'centos'].includes(x))) return 'rhel'
  if (ids.some((x) => ['debian', 'ubuntu'].includes(x))) return 'debian'
  if (ids.some((x) => ['suse', 'opensuse', 'sles'].includes(x))) return 'suse'
  return 'unknown'
}

function splitVersion(version: string): { major?: number; minor?: number } {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version)
  if (!match) return {}
  return { major: Number(match[1]), ...(match[2] !== undefined ? { minor: Number(match[2]) } : {}) }
}

function fromOsRelease(fields: Map<string, string>): OsIdentity {
  const distro = fields.get('ID') ?? ''
  const version = fields.get('VERSION_ID') ?? ''
  const variant = fields.get('VARIANT')
  const codename = fields.get('VERSION_CODENAME')
  return {
    distro,
    family: familyOf(distro, fields.get('ID_LIKE') ?? ''),
    name: fields.get('PRETTY_NAME') ?? fields.get('NAME') ?? distro,
    version,
    ...splitVersion(version),
    ...(variant ? { variant } : {}),
    ...(codename ? { codename } : {}),
    ...(fields.size > 0 ? { source: '/etc/os-release' } : {}),
  }
}

const elDistros: [RegExp, string][] = [
  [/^CentOS Stream/i, 'centos'],
  [/^CentOS/i, 'centos'],
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^Rocky/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Oracle/i, 'ol'],
  [/^Scientific/i, 'scientific'],
  [/^Fedora/i, 'fedora'],
  [/^Amazon Linux/i, 'amzn'],
]

/** "CentOS release 6.5 (Final)", "Red Hat Enterprise Linux Server release 6.5 (Santiago)". */
function parseElRelease(line: string, file: string): Partial<OsIdentity> | undefined {
  const match = /^(.*?)\s+release\s+(\d[\w.]*)\s*(?:\((.*)\))?/i.exec(line)
  if (!match) return undefined
  const [, product = '', version = '', codename] = match
  const distro = elDistros.find(([pattern]) => pattern.test(product))?.[1] ?? ''
  const variant = /^Red Hat Enterprise Linux (\w+)/i.exec(product)?.[1]
  return {
    distro,
    family: 'rhel',
    name: line,
    version,
    ...splitVersion(version),
    ...(variant ? { variant } : {}),
    ...(codename ? { codename } : {}),
    source: file,
  }
}

/** debian_version holds the point release ("12.7") that os-release leaves out; testing says "trixie/sid". */
function fromDebianVersion(text: string, identity: OsIdentity): Partial<OsIdentity> {
  if (!/^\d/.test(text)) return identity.distro === '' ? { distro: 'debian', family: 'debian' } : {}
  if (identity.distro !== '' && identity.distro !== 'debian') return {}
  return {
    distro: 'debian',
    family: 'debian',
    version: text,
    ...splitVersion(text),
    source: '/etc/debian_version',
  }
}
