// Files no package owns are not upgraded and not migrated by any tool: the administrator carries
// them to a new installation by hand and checks them after an in-place upgrade (PA module
// backup/UntrackedFiles "File lists for the manual migration").
import type { LocalEntry, LocalFiles } from '../facts/local-files.ts'
import { defineCheck } from './define-check.ts'
import { informational, pass } from './result.ts'

/** Directories named in the summary line; the messages after it list the paths. */
const directoriesShown = 15

function describeEntry(entry: LocalEntry): string {
  if (entry.kind === 'directory')
    return `${entry.path}/ (directory; not-owned entries below it: ${entry.entriesBelow ?? 0})`
  if (entry.kind === 'symlink') return `${entry.path} (symbolic link)`
  if (entry.kind === 'other') return `${entry.path} (special file)`
  return entry.size === undefined ? entry.path : `${entry.path} (${entry.size} bytes)`
}

function walkSummary(local: LocalFiles): string[] {
  const lines = [
    `Walked ${local.scanned.join(', ')}: entries: ${local.entriesWalked}; not owned by any package: ${local.unownedCount}.`,
  ]
  if (local.absent.length > 0) lines.push(`Not on this host: ${local.absent.join(', ')}.`)
  if (local.skippedMounts.length > 0)
    lines.push(`Not entered (network or virtual filesystems): ${local.skippedMounts.join(', ')}.`)
  if (local.expected.length > 0)
    lines.push(
      `Made by the system itself and not listed: ${local.expected.map((rule) => `${rule.why} (${rule.glob}): ${rule.count}`).join('; ')}.`,
    )
  if (!local.complete)
    lines.push(
      `The walk stopped at maxEntries (${local.entriesWalked}, local-file-scan.json): the counts are lower bounds.`,
    )
  return lines
}

export const systemLocalFiles = defineCheck({
  id: 'system.local-files',
  title: 'Files not owned by any package',
  group: 'system',
  description:
    'Configuration, software and data that no package installed: no upgrade tool updates them and no package brings them to a new installation. This is the list to back up and to carry over by hand when migrating, and to review after an in-place upgrade (preflight walks /etc, /opt, /srv, /usr/local and /var/www; local-file-scan.json says which).',
  needs: ['localFiles'],
  run: ({ localFiles: local }) => {
    const summary = walkSummary(local)
    if (local.unownedCount === 0) return pass(...summary)
    const directories = local.byDirectory
      .slice(0, directoriesShown)
      .map(({ directory, count }) => `${directory} ${count}`)
      .join(', ')
    const more =
      local.byDirectory.length > directoriesShown
        ? `, and ${local.byDirectory.length - directoriesShown} more`
        : ''
    const covered = local.listed.reduce((sum, entry) => sum + 1 + (entry.entriesBelow ?? 0), 0)
    const shown =
      covered < local.unownedCount
        ? `The first ${local.listed.length} of them (a directory no package owns is one line, with the count of what is below it):`
        : 'All of them (a directory no package owns is one line, with the count of what is below it):'
    return informational(
      ...summary,
      `Not owned, by directory: ${directories}${more}.`,
      shown,
      ...local.listed.map(describeEntry),
    )
  },
})
