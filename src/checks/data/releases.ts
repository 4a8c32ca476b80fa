/**
 * @module
 * Typed access to releases.json: the latest point release of each major and Debian's codenames.
 * The table is data so that a new point release is a one-line change, reviewed without code.
 */

import type { OsIdentity } from '../../facts/os-identity.ts'
import type { TargetRelease } from '../define-check.ts'
import releasesData from './releases.json' with { type: 'json' }

interface MajorRelease {
  latest: string
  codename?: string
  /** False for a major that is announced (Debian testing) but not released yet. */
  released?: boolean
}

interface DistroReleases {
  name: string
  majors: Record<string, MajorRelease>
}

export const releasesAsOf: string = releasesData.asOf
const distros: Record<string, DistroReleases> = releasesData.distros

/** Distributions whose point releases we track under another distribution's table. */
const releaseTableAliases: Record<string, string> = {
  scientific: 'rhel',
  ol: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
}

export function releaseTable(distro: string): DistroReleases | undefined {
  return distros[distro] ?? distros[releaseTableAliases[distro] ?? '']
}

/** The distribution's name as people write it ('Debian', 'CentOS'); undefined unless the table lists it under its own id. */
export function distroName(distro: string): string | undefined {
  return distros[distro]?.name
}

export function latestRelease(distro: string, major: number): MajorRelease | undefined {
  return releaseTable(distro)?.majors[String(major)]
}

/** Compares dotted numeric versions ('6.5' < '6.10'); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0)
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (diff !== 0) return diff
  }
  return 0
}

/** The release named by `--target`, or by default the next major of the assessed system. */
export function resolveTarget(os: OsIdentity, requested?: string): TargetRelease | undefined {
  const version = requested ?? (os.major === undefined ? undefined : String(os.major + 1))
  if (version === undefined) return undefined
  const major = Number.parseInt(version, 10)
  if (Number.isNaN(major)) {
    const byCodename = Object.entries(releaseTable(os.distro)?.majors ?? {}).find(
      ([, r]) => r.codename === version,
    )
    if (!byCodename) return undefined
    return { distro: os.distro, major: Number(byCodename[0]), version: byCodename[0], codename: version }
  }
  const codename = latestRelease(os.distro, major)?.codename
  return { distro: os.distro, major, version, ...(codename ? { codename } : {}) }
}
