/**
 * @module
 * `preflight verify`: every packaged file checked against the package database, printed as
 * `rpm -Va` (rpm hosts) or `dpkg --verify` (dpkg hosts) print it, so the output diffs against the
 * tools administrators know. Exit 0 when nothing changed, 1 when something did (or a named package
 * is not installed), 2 when the package database cannot be read.
 */
import type { Command } from 'commander'
import { Option } from 'commander'
import { gatherFacts } from '../../engine/gather.ts'
import { type Group, groups, type User, users } from '../../facts/accounts.ts'
import { installedPackages } from '../../facts/packages/installed-packages.ts'
import type { PackageDatabase } from '../../facts/packages/package-source.ts'
import { verifyPackages } from '../../facts/packages/verify/verify-packages.ts'
import { terminalText } from '../../reports/terminal-text.ts'
import { exitCodes, exitWithMessage } from '../exit-codes.ts'
import { openLinuxRoot } from '../open-linux-root.ts'
import { databaseErrorExit } from './packages.ts'

interface VerifyFlags {
  root: string
  format: 'text' | 'json'
  configfiles?: boolean
}

/** `verifying 1234/126334 files` on a terminal's stderr, at most four times a second. */
function progressLine(stream: NodeJS.WriteStream): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined
  let last = 0
  return (done, total) => {
    const now = Date.now()
    if (now - last < 250 && done < total) return
    last = now
    stream.write(`\rverifying ${done}/${total} files${done === total ? '\r\x1b[K' : ''}`)
  }
}

async function run(packages: string[], flags: VerifyFlags): Promise<void> {
  const host = await openLinuxRoot(flags.root)
  if (!host) return
  const { facts } = await gatherFacts(host, [installedPackages, users, groups])
  const database = facts.get(installedPackages.id)
  if (!database || database.failed)
    return exitWithMessage(database?.message ?? 'no package database', databaseErrorExit)
  const value = <T>(id: string, fallback: T): T => {
    const gathered = facts.get(id)
    return gathered && !gathered.failed ? (gathered.value as T) : fallback
  }
  const accounts = {
    users: value<{ users: User[] }>(users.id, { users: [] }).users,
    groups: value<{ groups: Group[] }>(groups.id, { groups: [] }).groups,
  }
  const db = database.value as PackageDatabase
  let result: Awaited<ReturnType<typeof verifyPackages>>
  try {
    const progress = flags.format === 'text' ? progressLine(process.stderr) : undefined
    result = await verifyPackages(host, db, accounts, {
      ...(packages.length > 0 ? { select: packages } : {}),
      configOnly: !!flags.configfiles,
      ...(progress ? { progress } : {}),
    })
  } catch (error) {
    return exitWithMessage(error instanceof Error ? error.message : String(error), databaseErrorExit)
  }
  for (const warning of [...db.warnings, ...result.warnings]) {
    process.stderr.write(
      `preflight: ${warning.file}${warning.line ? `:${warning.line}` : ''}: ${warning.message}\n`,
    )
  }
  for (const name of result.notInstalled)
    process.stderr.write(`preflight: package ${name} is not installed\n`)
  if (flags.format === 'json') {
    const { verdicts, ...rest } = result
    process.stdout.write(
      `${JSON.stringify({ format: db.format, database: db.path, ...rest, files: verdicts }, null, 2)}\n`,
    )
  } else {
    process.stdout.write(result.verdicts.map((verdict) => `${terminalText(verdict.line)}\n`).join(''))
  }
  const changed = result.verdicts.some((verdict) => verdict.problem) || result.notInstalled.length > 0
  process.exitCode = changed ? 1 : 0
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Check packaged files against the package database and print rpm -Va / dpkg --verify lines (exit 1 when something changed).',
    )
    .argument('[package...]', 'packages to verify (default: all)')
    .option('--root <dir>', 'verify an offline root (mounted image, unpacked container) instead of /', '/')
    .option('--configfiles', 'only configuration files (rpm %config, dpkg conffiles)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : exitCodes.invalidOption))
    .action(run)
}
