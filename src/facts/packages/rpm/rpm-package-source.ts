/**
 * @module
 * rpm as a PackageSource: where the database is and the package list in it, as `rpm -qa` lists it.
 * The richer per-package data (files, dependencies) is on the RpmPackage objects `readRpmdb` returns;
 * both read the same cached copy of the database.
 */
import type { PackageSource } from '../package-source.ts'
import { locateRpmdb, readRpmdb } from './rpmdb.ts'

export const rpmPackageSource: PackageSource = {
  format: 'rpm',
  locate: (host) => locateRpmdb(host),
  async read({ host }, path) {
    const database = await readRpmdb(host, path)
    return {
      format: 'rpm',
      path,
      packages: database.packages.map((pkg) => pkg.toInstalledPackage()),
      warnings: database.warnings,
    }
  },
}
