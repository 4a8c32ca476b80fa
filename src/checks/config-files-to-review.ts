// A configuration file changed since its package installed it is not upgraded cleanly: rpm keeps it
// and writes the new default as .rpmnew, or replaces it and saves it as .rpmsave (the seed blog's
// epel.repo.rpmsave); dpkg asks, then leaves .dpkg-dist/.dpkg-old. PA module backup/NoverifyConfigs.
import type { ChangedFiles } from '../facts/packages/changed-files.ts'
import type { FileVerdict, VerifyColumn } from '../facts/packages/verify/file-verdict.ts'
import { defineCheck } from './define-check.ts'
import { outcomeFromRisks, type Risk, risk } from './result.ts'

type Change = 'content' | 'missing' | 'unreadable' | 'metadata' | 'touched'

/** Columns that mean the bytes (or the link target) differ from the packaged file. */
const contentColumns: readonly VerifyColumn[] = ['S', '5', 'L']

function changeOf(file: FileVerdict): Change {
  if (file.missing) return 'missing'
  if (file.changed.some((column) => contentColumns.includes(column))) return 'content'
  if (file.unknown.length > 0) return 'unreadable'
  if (file.changed.some((column) => column !== 'T')) return 'metadata'
  return 'touched'
}

/** The 9-column attribute string of the line ('S.5....T.', '??5??????'), or 'missing'. */
function attributes(file: FileVerdict): string {
  return file.missing ? 'missing' : file.line.slice(0, 9)
}

const describe: Record<Change, string> = {
  content: 'content differs from the packaged file',
  missing: 'deleted',
  unreadable: 'could not be read to compare its content',
  metadata: 'mode, owner or group differs from the packaged file',
  touched: 'only its modification time differs; the content is as packaged',
}

function solution(format: ChangedFiles['format'], found: Set<Change>): string[] {
  const steps: string[] = []
  if (found.has('content')) {
    steps.push(
      format === 'rpm'
        ? 'Keep a copy of each changed file and compare it with the packaged version before the upgrade. rpm keeps a changed %config(noreplace) file and writes the new default beside it as FILE.rpmnew; it replaces a changed plain %config file and saves yours as FILE.rpmsave ("warning: /etc/yum.repos.d/epel.repo saved as /etc/yum.repos.d/epel.repo.rpmsave"). After the upgrade, merge each one by hand: `find / -xdev \\( -name "*.rpmnew" -o -name "*.rpmsave" \\)`.'
        : 'Keep a copy of each changed conffile. When the new package changes it too, dpkg asks whether to keep yours (the new default is saved as FILE.dpkg-dist) or take the new one (yours is saved as FILE.dpkg-old); with --force-confold or --force-confnew it decides alone. After the upgrade, merge them by hand: `find /etc -name "*.dpkg-*"`.',
    )
  }
  if (found.has('missing')) {
    steps.push(
      format === 'rpm'
        ? 'rpm installs a deleted configuration file again on upgrade: if it must stay absent, delete it again afterwards (or disable what it configures).'
        : 'dpkg leaves a deleted conffile deleted on upgrade: make sure the upgraded service does not need the new version of it.',
    )
  }
  if (found.has('metadata')) {
    steps.push(
      'Note the mode and owner of the files whose metadata changed (`ls -l`): the upgrade may install the packaged ones; restore yours afterwards.',
    )
  }
  if (found.has('unreadable')) steps.push('Make the unreadable files readable for root and assess again.')
  return steps
}

export const configFilesToReview = defineCheck({
  id: 'packages.config-files-to-review',
  title: 'Configuration files to review',
  group: 'packages',
  description:
    'Configuration files that differ from what their package installed. The upgrade either keeps them and puts the new default beside them (.rpmnew, .dpkg-dist) or replaces them and saves them aside (.rpmsave, .dpkg-old): either way someone must merge the two by hand, or the upgraded service runs with a configuration nobody chose.',
  needs: ['changedConfigFiles'],
  run: ({ changedConfigFiles }) => {
    const { files, format, filesChecked } = changedConfigFiles
    const tool = format === 'rpm' ? 'rpm -Va' : 'dpkg --verify'
    const messages = [
      `Checked ${filesChecked} configuration files against the package database as ${tool} does: ${files.length} differ.`,
      ...files.map((file) => file.line),
    ]
    const risks: Risk[] = []
    const found = new Set<Change>()
    for (const file of files) {
      const change = changeOf(file)
      found.add(change)
      if (change === 'touched') continue
      // Medium for content and deletions (the upgrade puts a different file in place or beside it);
      // slight for metadata and unreadable files, which need a look but no merge.
      const level = change === 'content' || (change === 'missing' && format === 'rpm') ? 'medium' : 'slight'
      const message = `${file.path}: ${describe[change]} (${attributes(file)}, ${file.package}).`
      risks.push(risk(level, message, { file: file.path }))
    }
    return outcomeFromRisks(risks, solution(format, found), messages)
  },
})
