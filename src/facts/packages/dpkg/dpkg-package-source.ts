/**
 * @module
 * The dpkg side of the installed-packages fact: the packages of /var/lib/dpkg/status whose files
 * are on disk, in the shape every package source delivers.
 */
import type { InstalledPackage, PackageSource } from '../package-source.ts'
import { type DpkgPackage, dpkgStatusPath, isInstalledState, parseDpkgStatus } from './dpkg-status.ts'

function toInstalledPackage(pkg: DpkgPackage): InstalledPackage {
  const version = pkg.parsedVersion
  return {
    name: pkg.name,
    ...(version?.epoch !== undefined ? { epoch: version.epoch } : {}),
    version: version?.upstream ?? pkg.version,
    ...(version?.revision !== undefined ? { release: version.revision } : {}),
    arch: pkg.arch,
    ...(pkg.maintainer ? { vendor: pkg.maintainer } : {}),
    ...(pkg.summary ? { summary: pkg.summary } : {}),
    ...(pkg.source ? { source: pkg.source } : {}),
    ...(pkg.state !== 'installed' ? { state: pkg.state } : {}),
    ...(pkg.want === 'hold' ? { held: true } : {}),
  }
}

export const dpkgPackageSource: PackageSource = {
  format: 'dpkg',

  async locate(host) {
    return (await host.lstat(dpkgStatusPath)) ? dpkgStatusPath : undefined
  },

  async read({ host }, path) {
    const text = await host.readText(path)
    if (text === undefined) throw new Error(`${path}: could not be opened (a dangling symbolic link?)`)
    const { packages, warnings } = parseDpkgStatus(text, path)
    return {
      format: 'dpkg',
      path,
      packages: packages.filter((pkg) => isInstalledState(pkg.state)).map(toInstalledPackage),
      warnings,
    }
  },
}
