/**
 * @module
 * All installed packages, the first log the Preupgrade Assistant gathers (`rpm -qa`), read from
 * the package database itself so it works on offline roots. The database is chosen by the OS
 * family: rpm first on EL and SUSE, dpkg first on Debian, the other as fallback (a Debian host
 * with the rpm tool installed has a stray /var/lib/rpm).
 *
 * Three outcomes a check can tell apart: a database with packages; a database without packages
 * (an empty list); no readable database — the fact fails with the reason (no database found, or
 * the one found could not be read), so every check that needs it becomes `error` rather than
 * concluding "not installed" from a list it never had.
 */
import { defineFact, type GatherContext } from '../define-fact.ts'
import { type OsFamily, type OsIdentity, osIdentity } from '../os-identity.ts'
import { dpkgPackageSource } from './dpkg/dpkg-package-source.ts'
import type { PackageDatabase, PackageFormat, PackageSource } from './package-source.ts'
import { rpmPackageSource } from './rpm/rpm-package-source.ts'

/** Every package database reader preflight has. */
const packageSources: readonly PackageSource[] = [rpmPackageSource, dpkgPackageSource]

const preferredFormat: Record<OsFamily, PackageFormat | undefined> = {
  rhel: 'rpm',
  suse: 'rpm',
  debian: 'dpkg',
  unknown: undefined,
}

/** The sources in the order to try them on a host of this family; unknown families keep the given order. */
export function sourcesInOrder(family: OsFamily, sources: readonly PackageSource[]): PackageSource[] {
  const preferred = preferredFormat[family]
  return [
    ...sources.filter((source) => source.format === preferred),
    ...sources.filter((source) => source.format !== preferred),
  ]
}

/**
 * Reads the first database the host has, in family order. A database that exists but cannot be
 * read throws: falling back to another one would report a different host's truth.
 */
export async function readInstalledPackages(
  context: GatherContext,
  os: OsIdentity,
  sources: readonly PackageSource[] = packageSources,
): Promise<PackageDatabase> {
  const ordered = sourcesInOrder(os.family, sources)
  for (const source of ordered) {
    const path = await source.locate(context.host)
    if (path !== undefined) return source.read(context, path)
  }
  throw new Error(
    `no package database found (looked for ${ordered.map((source) => source.format).join(', ')})`,
  )
}

export const installedPackages = defineFact({
  id: 'installedPackages',
  title: 'All installed packages',
  needs: { osIdentity },
  collect: (context, { osIdentity }) => readInstalledPackages(context, osIdentity),
})
