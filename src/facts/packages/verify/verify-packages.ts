/**
 * @module
 * Verifies the packages of whichever database the host has (the installed-packages fact says
 * which): rpm's rules and lines for an rpm database, dpkg's for a dpkg one.
 */
import path from 'node:path'
import type { Host } from '../../../host/host.ts'
import type { Group, User } from '../../accounts.ts'
import { parseDpkgStatus } from '../dpkg/dpkg-status.ts'
import { dpkgVerify } from '../dpkg/dpkg-verify.ts'
import type { PackageDatabase } from '../package-source.ts'
import { readRpmdb } from '../rpm/rpmdb.ts'
import { rpmVerify } from './rpm-verify.ts'
import type { AccountIds } from './rpm-verify-file.ts'
import type { PackageVerification, PackageVerifyOptions } from './verify-files.ts'

/** The assessed root's accounts, for rpm's owner names. */
export interface LocalAccounts {
  users: readonly User[]
  groups: readonly Group[]
}

/** Name lookups as rpm does them on the assessed root: the first entry of a name wins. */
export function accountIds({ users, groups }: LocalAccounts): AccountIds {
  const uids = new Map<string, number>()
  const gids = new Map<string, number>()
  for (const user of users) if (!uids.has(user.name)) uids.set(user.name, user.uid)
  for (const group of groups) if (!gids.has(group.name)) gids.set(group.name, group.gid)
  return { uid: (name) => uids.get(name), gid: (name) => gids.get(name) }
}

/**
 * Verifies the files of the packages in `database` (the installed-packages fact's value). Throws
 * (naming the file) when the database cannot be read again. The warnings are those of the file
 * lists; the database's own stay with the installed-packages fact.
 */
export async function verifyPackages(
  host: Host,
  database: Pick<PackageDatabase, 'format' | 'path'>,
  accounts: LocalAccounts,
  options: PackageVerifyOptions = {},
): Promise<PackageVerification> {
  if (database.format === 'rpm') {
    const db = await readRpmdb(host, database.path)
    return rpmVerify(host, db, accountIds(accounts), options)
  }
  const text = await host.readText(database.path)
  if (text === undefined) throw new Error(`${database.path}: no such file`)
  const { packages } = parseDpkgStatus(text, database.path)
  return dpkgVerify(host, packages, { ...options, adminDir: path.posix.dirname(database.path) })
}
