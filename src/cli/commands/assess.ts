import type { Command } from 'commander'
import { allChecks } from '../../checks/index.ts'
import { assess } from '../../engine/assess.ts'
import { openHost } from '../../host/host.ts'
import { assertLinuxRoot, NotALinuxRootError } from '../../host/validate-root.ts'
import { exitCodes } from '../exit-codes.ts'

interface AssessFlags {
  root: string
  json?: boolean
  select?: string[]
  skip?: string[]
  target?: string
  strict?: boolean
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)]

export function registerAssess(program: Command): void {
  program
    .command('assess')
    .description('Assess a host for an in-place upgrade: gather facts, run checks, report.')
    .option('--root <dir>', 'assess an offline root (mounted image, unpacked container) instead of /', '/')
    .option('--json', 'print the JSON report on stdout')
    .option('--select <ids>', 'run only these checks or groups (comma-separated, repeatable)', list)
    .option('--skip <ids>', 'leave out these checks or groups', list)
    .option('--target <release>', 'target release (default: the next major of the assessed system)')
    .option('--strict', 'treat malformed lines in host files as errors')
    .action(async (flags: AssessFlags) => {
      const host = openHost({ root: flags.root })
      try {
        await assertLinuxRoot(host)
      } catch (error) {
        if (!(error instanceof NotALinuxRootError)) throw error
        process.stderr.write(`preflight: ${error.message}\n`)
        process.exitCode = exitCodes.invalidOption
        return
      }
      const { assessment } = await assess(host, allChecks, flags)
      process.stdout.write(`${JSON.stringify(assessment, null, 2)}\n`)
      process.exitCode = assessment.summary.exitCode
    })
}
