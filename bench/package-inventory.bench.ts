/**
 * How long the package inventory facts take on this machine (in-process, median of N runs): the
 * dependency check of the installed set (`yum check` / `apt-get check`), the walk for files no
 * package owns (the riskiest part of a default assessment: it reads every package's file list
 * and walks /etc, /opt, /srv, /usr/local, /var/www), and the executables among them. Peers:
 * `apt-get check` and `find … | dpkg -S` on the same directories.
 */
import { spawnSync } from 'node:child_process'
import { executableFiles } from '../src/facts/executable-files.ts'
import { collectLocalFiles } from '../src/facts/local-files.ts'
import { osIdentity } from '../src/facts/os-identity.ts'
import { readBrokenDependencies } from '../src/facts/packages/dependencies/broken-dependencies.ts'
import { readInstalledPackages } from '../src/facts/packages/installed-packages.ts'
import { openHost } from '../src/host/host.ts'
import { formatTable, measure, timingCells } from './measure.ts'

export default async function packageInventoryBench(): Promise<void> {
  const context = { host: openHost(), progress() {} }
  const os = await osIdentity.collect(context, {})
  const database = await readInstalledPackages(context, os)
  const local = await collectLocalFiles(context, database)
  const cases: [string, () => unknown][] = [
    [
      `brokenDependencies (${database.format}, ${database.packages.length} packages)`,
      () => readBrokenDependencies(context, database),
    ],
    [
      `localFiles (${local.scanned.join(' ')}: ${local.entriesWalked} entries)`,
      () => collectLocalFiles(context, database),
    ],
    [
      `executableFiles (${local.executables.count} executables)`,
      () => executableFiles.collect(context, { localFiles: local }),
    ],
  ]
  if (database.format === 'dpkg')
    cases.push(['peer: apt-get check', () => spawnSync('apt-get', ['check', '-o', 'Debug::NoLocking=1'])])
  const rows: string[][] = []
  for (const [name, work] of cases) {
    const timing = await measure(work)
    rows.push([name, ...timingCells(timing)])
  }
  console.log(formatTable(['case', 'runs', 'first', 'median', 'min', 'max'], rows))
}
