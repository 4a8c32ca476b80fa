/**
 * @module
 * Typed access to openssh-releases.json: which OpenSSH a release ships and the UseDNS default of
 * that build, so a check can say what sshd will do after the upgrade. Data, so a new release is a
 * one-line change.
 */
import {
  compareOpensshVersions,
  type OpensshVersion,
  parseOpensshVersion,
  upstreamUseDnsDefault,
} from '../../facts/sshd-config/openssh-version.ts'
import opensshData from './openssh-releases.json' with { type: 'json' }

export interface OpensshRelease {
  /** 'Enterprise Linux 7'. */
  release: string
  openssh: OpensshVersion
  /** sshd's built-in UseDNS default in this build. */
  useDnsDefault: boolean
  /** True when the vendor changed the default from upstream's. */
  vendorDefault: boolean
}

interface FamilyData {
  name: string
  distros: string[]
  majors: Record<string, { openssh: string; useDnsDefault?: boolean } | undefined>
}

const families: FamilyData[] = opensshData.families

export function opensshRelease(distro: string, major: number | undefined): OpensshRelease | undefined {
  if (major === undefined) return undefined
  const family = families.find((candidate) => candidate.distros.includes(distro))
  const entry = family?.majors[String(major)]
  const openssh = entry && parseOpensshVersion(entry.openssh)
  if (!family || !entry || !openssh) return undefined
  const upstream = upstreamUseDnsDefault(openssh)
  return {
    release: `${family.name} ${major}`,
    openssh,
    useDnsDefault: entry.useDnsDefault ?? upstream,
    vendorDefault: entry.useDnsDefault !== undefined && entry.useDnsDefault !== upstream,
  }
}

/** Whether a binary's version is the one a release ships (then the release's vendor default applies). */
export function isReleaseBuild(version: OpensshVersion, release: OpensshRelease): boolean {
  return compareOpensshVersions(version, release.openssh) === 0
}
