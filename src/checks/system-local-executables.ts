// A binary no package owns was linked against the old release's libraries, whose sonames change in
// a major upgrade; a script names an interpreter the new release may lack. PA module
// system/BinariesRebuild "Binaries to be rebuilt" (slight risk for binaries and for scripts).
import type { ExecutableFile } from '../facts/executable-files.ts'
import { defineCheck } from './define-check.ts'
import { outcomeFromRisks, type Risk, risk } from './result.ts'

/** Paths named in a risk message; the messages list them all. */
const pathsInRisk = 15

function listed(files: readonly ExecutableFile[], describe: (file: ExecutableFile) => string): string {
  const shown = files.slice(0, pathsInRisk).map(describe).join(', ')
  return files.length > pathsInRisk ? `${shown} and ${files.length - pathsInRisk} more` : shown
}

function withInterpreter(file: ExecutableFile): string {
  return file.interpreter ? `${file.path} (#!${file.interpreter})` : file.path
}

export const systemLocalExecutables = defineCheck({
  id: 'system.local-executables',
  title: 'Executables not owned by any package',
  group: 'system',
  description:
    'Programs installed by hand or built locally are not upgraded. A binary built against the old release may fail to start when the upgrade replaces the libraries it links against; a script may name an interpreter the new release no longer ships (python2, /usr/bin/python). Each needs a rebuild or a test after the upgrade.',
  needs: ['executableFiles'],
  run: ({ executableFiles: found }) => {
    const binaries = found.files.filter((file) => file.type === 'elf')
    const scripts = found.files.filter((file) => file.type === 'script')
    const others = found.files.filter((file) => file.type === 'other' || file.type === 'unread')
    const messages = [
      `Executable files no package owns: ${found.count}${found.complete ? '' : ' (the walk stopped early, so there may be more)'}; binaries: ${binaries.length}, scripts: ${scripts.length}, other: ${others.length}${found.files.length < found.count ? ` (of the first ${found.files.length})` : ''}.`,
      ...binaries.map((file) => `binary: ${file.path} (${file.size} bytes)`),
      ...scripts.map((file) => `script: ${withInterpreter(file)}`),
      ...others.map((file) =>
        file.type === 'unread' ? `not read (${file.size} bytes): ${file.path}` : `other: ${file.path}`,
      ),
    ]
    const risks: Risk[] = []
    const solutions: string[] = []
    if (binaries.length > 0) {
      risks.push(
        risk(
          'slight',
          `Binaries no package owns (${binaries.length}), built for the installed release: ${listed(binaries, (file) => file.path)}.`,
        ),
      )
      solutions.push(
        'Binaries: rebuild each one on the target release from its source, or after the upgrade run `ldd FILE | grep "not found"` on each and rebuild the ones that miss a library.',
      )
    }
    if (scripts.length > 0) {
      const interpreters = [...new Set(scripts.map((file) => file.interpreter?.split(' ')[0] ?? '(none)'))]
      risks.push(
        risk(
          'slight',
          `Scripts no package owns (${scripts.length}), which need their interpreters (${interpreters.join(', ')}): ${listed(scripts, withInterpreter)}.`,
        ),
      )
      solutions.push(
        `Scripts: make sure each interpreter (${interpreters.join(', ')}) exists on the target release in a compatible version, and run the scripts once after the upgrade.`,
      )
    }
    return outcomeFromRisks(risks, solutions, messages)
  },
})
