/**
 * @module
 * `preflight assess`: what `preupg` did, read-only. Gathers facts, runs the checks, prints the
 * result table (or the JSON report), writes the latest directory and the results archive, and
 * exits with the risk. `--list` shows the catalogue, `--riskcheck` re-reads the last run.
 */
import path from 'node:path'
import { type Command, Option } from 'commander'
import { allChecks } from '../../checks/index.ts'
import { assess } from '../../engine/assess.ts'
import { riskExitCode, summarize } from '../../engine/risk.ts'
import { selectChecks, UnknownCheckError } from '../../engine/select.ts'
import { openHost } from '../../host/host.ts'
import { assertLinuxRoot, NotALinuxRootError } from '../../host/validate-root.ts'
import { renderers } from '../../reports/index.ts'
import { ReportReadError } from '../../reports/report-schema.ts'
import {
  assertSafeOutputDir,
  defaultOutputDir,
  OutputDirError,
  resultsDir,
  type WrittenRun,
} from '../../reports/results-dir.ts'
import { checkList, riskLines } from '../../reports/table.ts'
import { verdict } from '../../reports/verdict.ts'
import { exitCodes, exitWithMessage } from '../exit-codes.ts'
import { progress, supportsColor } from '../progress.ts'

interface AssessFlags {
  root: string
  output?: string
  json?: boolean
  select?: string[]
  skip?: string[]
  target?: string
  strict?: boolean
  verifyFiles?: boolean
  list?: boolean
  riskcheck?: boolean
  verbose: number
  quiet?: boolean
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)]

/** Errors the user can fix by changing the command line: one line on stderr and exit 22. */
function isUsageError(error: unknown): error is Error {
  return (
    error instanceof NotALinuxRootError ||
    error instanceof UnknownCheckError ||
    error instanceof OutputDirError
  )
}

function listChecks(flags: AssessFlags): void {
  const checks = selectChecks(allChecks, flags)
  if (flags.json) {
    const rows = checks.map(({ id, group, title }) => ({ id, group, title }))
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
  } else {
    process.stdout.write(checkList(checks))
  }
}

/** `preupg --riskcheck`: the last run's risk as the exit code; -v prints high and extreme risks, -vv all. */
async function riskcheck(flags: AssessFlags): Promise<void> {
  const dir = resultsDir(flags.output ?? defaultOutputDir())
  let report: Awaited<ReturnType<typeof dir.readLatest>>
  try {
    report = await dir.readLatest()
  } catch (error) {
    if (!(error instanceof ReportReadError)) throw error
    return exitWithMessage(error.message, exitCodes.unreadableReport)
  }
  if (!report) {
    return exitWithMessage(
      `no previous assessment in ${dir.latest}: run 'preflight assess' first (or pass its -o)`,
      exitCodes.noPreviousRun,
    )
  }
  if (flags.verbose > 0) {
    for (const line of riskLines(report.results, flags.verbose >= 2 ? 'slight' : 'high')) {
      process.stdout.write(`${line}\n`)
    }
    process.stdout.write(
      `${verdict(summarize(report.results))} (run ${report.runId}, ${report.host.hostname})\n`,
    )
  }
  process.exitCode = riskExitCode(report.results)
}

async function runAssessment(flags: AssessFlags): Promise<void> {
  const host = openHost({ root: flags.root })
  await assertLinuxRoot(host)
  const outputDir = path.resolve(flags.output ?? defaultOutputDir())
  await assertSafeOutputDir(outputDir, host)

  const observer = flags.quiet ? undefined : progress(process.stderr)
  const run = await assess(host, allChecks, {
    select: flags.select,
    skip: flags.skip,
    target: flags.target,
    strict: !!flags.strict,
    gatherAlso: flags.verifyFiles ? ['changedFiles'] : [],
    observer,
  })
  const { assessment } = run
  observer?.finished(assessment.timings.totalMs)

  const osFailed = assessment.timings.facts.some(
    (fact) => fact.id === 'osIdentity' && fact.error !== undefined,
  )
  if (flags.target !== undefined && assessment.target === undefined && !osFailed) {
    return exitWithMessage(
      `unknown target release '${flags.target}' for ${assessment.host.os.name}: give a major version (7) or a codename (trixie)`,
      exitCodes.invalidOption,
    )
  }

  let written: WrittenRun | undefined
  let writeError: string | undefined
  try {
    written = await resultsDir(outputDir).write(run)
  } catch (error) {
    writeError = `could not write the results to ${outputDir}: ${error instanceof Error ? error.message : String(error)}`
  }

  if (flags.json) {
    process.stdout.write(renderers.json.render(assessment))
    if (written && !flags.quiet) {
      process.stderr.write(
        `Archive with the results: ${written.archive}\nLatest assessment: ${written.latest}\n`,
      )
    }
  } else {
    const stdout = process.stdout
    stdout.write(
      renderers.table.render(assessment, {
        color: supportsColor(stdout),
        ...(stdout.isTTY ? { width: stdout.columns } : {}),
        verbose: flags.verbose,
        ...(written ? { written } : {}),
      }),
    )
  }
  if (writeError) return exitWithMessage(writeError, exitCodes.internalError)
  process.exitCode = assessment.summary.exitCode
}

export function registerAssess(program: Command): void {
  program
    .command('assess')
    .description('Assess a host for an in-place upgrade: gather facts, run checks, report the risk.')
    .option('--root <dir>', 'assess an offline root (mounted image, unpacked container) instead of /', '/')
    .option(
      '-o, --output <dir>',
      'results directory (default: /var/lib/preflight as root, else $XDG_STATE_HOME/preflight)',
    )
    .option('--json', 'print the JSON report on stdout instead of the table')
    .option('--select <ids>', 'run only these checks or groups (comma-separated, repeatable)', list)
    .option('--skip <ids>', 'leave out these checks or groups (comma-separated, repeatable)', list)
    .option('--target <release>', 'target release, e.g. 7 or trixie (default: the next major)')
    .option('--strict', 'treat malformed lines in host files as errors')
    .option(
      '--verify-files',
      'also verify every package file (as rpm -Va / dpkg --verify) into facts.json; takes minutes on big hosts',
    )
    .addOption(
      new Option('--list', 'list the checks (id, group, title) and exit; honours --select/--skip').conflicts([
        'riskcheck',
      ]),
    )
    .addOption(
      new Option(
        '--riskcheck',
        'exit with the risk of the last run in the results directory (0, 1, 2; 24 if none)',
      ).conflicts(['root', 'select', 'skip', 'target', 'strict', 'json', 'verifyFiles']),
    )
    .option(
      '-v, --verbose',
      'more detail: solutions and messages; -vv everything',
      (_, count: number) => count + 1,
      0,
    )
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (flags: AssessFlags) => {
      try {
        if (flags.list) listChecks(flags)
        else if (flags.riskcheck) await riskcheck(flags)
        else await runAssessment(flags)
      } catch (error) {
        if (!isUsageError(error)) throw error
        exitWithMessage(error.message, exitCodes.invalidOption)
      }
    })
}
