/**
 * @module
 * Broken dependencies in the installed set: requirements of installed packages that nothing
 * installed satisfies, as `yum check` reports them on rpm hosts ("aiccu-2007.01.15-7.el6.x86_64
 * has missing requires of libgnutls.so.26()(64bit)") and `apt-get check` on dpkg hosts. The seed
 * blog's host had 20 of them, which surfaced only in the middle of the post-upgrade `yum update`
 * ("Found 20 pre-existing rpmdb problem(s)").
 */
import type { ParseWarning } from '../../../host/parse-error.ts'
import { defineFact, type GatherContext } from '../../define-fact.ts'
import { parseDpkgStatus } from '../dpkg/dpkg-status.ts'
import { installedPackages } from '../installed-packages.ts'
import type { PackageDatabase, PackageFormat } from '../package-source.ts'
import { readRpmdb } from '../rpm/rpmdb.ts'
import { dpkgRelations } from './dpkg-relations.ts'
import { rpmRelations } from './rpm-relations.ts'
import { type CapabilityIndex, type DependentPackage, unsatisfiedRelations } from './unsatisfied-relations.ts'

export interface BrokenDependency {
  /** The package whose requirement is not met, as the check tool names it ('10:centos-release-SCL-6-5.el6.centos.x86_64', 'app', 'libc6:i386'). */
  package: string
  /** 'requires' (rpm), 'Depends' or 'Pre-Depends' (dpkg). */
  field: string
  /** The requirement as the tool prints it ("python(abi) = ('0', '2.6', None)", 'Depends: libfoo1 (>= 1.3) | libbar'). */
  requirement: string
  /** The whole line as `yum check` / `apt-get check` prints it. */
  line: string
  /** The capabilities in the requirement that nothing installed provides. */
  missing: string[]
}

export interface BrokenDependencies {
  format: PackageFormat
  /** Installed packages whose requirements were checked. */
  packagesChecked: number
  /** Requirements checked, over all packages. */
  requirementsChecked: number
  /** In package order (rpm: yum check's, by name, version and arch; dpkg: the status file's), each package's in header or field order. */
  broken: BrokenDependency[]
  warnings: ParseWarning[]
}

function lineOf(format: PackageFormat, label: string, text: string): string {
  return format === 'rpm' ? `${label} has missing requires of ${text}` : `${label} : ${text}`
}

function collect<P extends DependentPackage>(
  format: PackageFormat,
  relations: { packages: P[]; index: CapabilityIndex<P>; warnings: ParseWarning[] },
): BrokenDependencies {
  const broken = unsatisfiedRelations(relations.packages, relations.index).map(
    ({ package: pkg, relation, missing }) => ({
      package: pkg.label,
      field: relation.field,
      requirement: relation.text,
      line: lineOf(format, pkg.label, relation.text),
      missing: [...new Set(missing.map((capability) => capability.name))],
    }),
  )
  return {
    format,
    packagesChecked: relations.packages.length,
    requirementsChecked: relations.packages.reduce((sum, pkg) => sum + pkg.relations.length, 0),
    broken,
    warnings: relations.warnings,
  }
}

/** Checks the database the installed-packages fact read (`database` is that fact's value). */
export async function readBrokenDependencies(
  context: GatherContext,
  database: Pick<PackageDatabase, 'format' | 'path'>,
): Promise<BrokenDependencies> {
  if (database.format === 'rpm') {
    const db = await readRpmdb(context.host, database.path)
    return collect('rpm', rpmRelations(db.packages, db.path))
  }
  const text = await context.host.readText(database.path)
  if (text === undefined) throw new Error(`${database.path}: no such file`)
  const { packages } = parseDpkgStatus(text, database.path)
  return collect('dpkg', dpkgRelations(text, database.path, packages))
}

export const brokenDependencies = defineFact({
  id: 'brokenDependencies',
  title: 'Dependency check',
  needs: { installedPackages },
  collect: (context, facts) => readBrokenDependencies(context, facts.installedPackages),
})
