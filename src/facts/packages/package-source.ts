/**
 * @module
 * The shape every package database reader delivers, so that the installed-packages fact and the
 * checks on top of it do not care whether a host keeps rpm (Berkeley DB, SQLite, NDB) or dpkg.
 */

import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import type { GatherContext } from '../define-fact.ts'

export type PackageFormat = 'rpm' | 'dpkg'

export interface InstalledPackage {
  name: string
  /** Absent when the package has no epoch (rpm: no Epoch tag; dpkg: no 'N:' prefix). */
  epoch?: number
  /** rpm Version; dpkg upstream version (without epoch and revision). */
  version: string
  /** rpm Release; dpkg Debian revision. Absent for native dpkg packages. */
  release?: string
  arch: string
  vendor?: string
  summary?: string
  /** Seconds since the epoch. */
  installTime?: number
  /** Short (8 hex digits, lower case) id of the key that signed the package (rpm). */
  signatureKeyId?: string
  /** dpkg Source / rpm SourceRPM. */
  source?: string
  /** The package manager's state when the package is not fully installed (dpkg: 'unpacked', 'half-configured', …). */
  state?: string
  /** The administrator pinned this version (dpkg selection 'hold'), so an upgrade leaves it alone. */
  held?: boolean
}

export interface PackageDatabase {
  format: PackageFormat
  /** Host path of the database that was read ('/var/lib/rpm/Packages', '/var/lib/dpkg/status'). */
  path: string
  packages: InstalledPackage[]
  warnings: ParseWarning[]
}

export interface PackageSource {
  readonly format: PackageFormat
  /** The host path of this source's database when the host has one. */
  locate(host: Host): Promise<string | undefined>
  /** Reads the database; throws (naming the file and what is wrong) when it cannot. */
  read(context: GatherContext, path: string): Promise<PackageDatabase>
}

/** `[epoch:]version[-release]` as rpm -q and dpkg -l print it. */
export function formatEvr(pkg: Pick<InstalledPackage, 'epoch' | 'version' | 'release'>): string {
  const epoch = pkg.epoch === undefined ? '' : `${pkg.epoch}:`
  const release = pkg.release === undefined ? '' : `-${pkg.release}`
  return `${epoch}${pkg.version}${release}`
}
