/**
 * @module
 * The Preupgrade Assistant's second and third gathered logs: every packaged file that differs
 * from the package database (`rpm -Va`, rpm_Va.log; 1 min 09 s on the seed blog's host) and the
 * changed configuration files alone (rpm_etc_Va.log). Read with preflight's own verify engine, so
 * it works on offline roots and on dpkg hosts (`dpkg --verify` there).
 *
 * The config-only fact checks just the %config files and conffiles, a few hundred files, so a
 * default assessment stays fast; the full one is gathered only for a check that needs it.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import { type Group, groups, type User, users } from '../accounts.ts'
import { defineFact, type GatherContext } from '../define-fact.ts'
import { installedPackages } from './installed-packages.ts'
import type { PackageDatabase, PackageFormat } from './package-source.ts'
import type { FileVerdict } from './verify/file-verdict.ts'
import { verifyPackages } from './verify/verify-packages.ts'

export interface ChangedFiles {
  /** Whose rules and line format the verdicts follow. */
  format: PackageFormat
  /** Changed, missing or unreadable files, one per line the tool prints, in its order. */
  files: FileVerdict[]
  /** How many packaged file entries were looked at. */
  filesChecked: number
  warnings: ParseWarning[]
}

async function collectChanged(
  context: GatherContext,
  database: PackageDatabase,
  accounts: { users: { users: User[] }; groups: { groups: Group[] } },
  configOnly: boolean,
): Promise<ChangedFiles> {
  const { verdicts, filesChecked, warnings } = await verifyPackages(
    context.host,
    database,
    { users: accounts.users.users, groups: accounts.groups.groups },
    { configOnly, progress: context.progress },
  )
  return { format: database.format, files: verdicts, filesChecked, warnings }
}

export const changedFiles = defineFact({
  id: 'changedFiles',
  title: 'All changed files',
  needs: { installedPackages, users, groups },
  collect: (context, facts) => collectChanged(context, facts.installedPackages, facts, false),
})

export const changedConfigFiles = defineFact({
  id: 'changedConfigFiles',
  title: 'Changed config files',
  needs: { installedPackages, users, groups },
  collect: (context, facts) => collectChanged(context, facts.installedPackages, facts, true),
})
