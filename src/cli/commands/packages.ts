/**
 * @module
 * `preflight packages`: the installed packages, as `rpm -qa` / `dpkg -l` list them, read from the
 * package database itself (no rpm or dpkg needed, offline roots included). Sorted by name, then
 * architecture (database order for the rest), so two hosts' lists diff cleanly; rpm -qa prints
 * database order, which differs from host to host.
 */
import type { Command } from 'commander'
import { Option } from 'commander'
import { gatherFacts } from '../../engine/gather.ts'
import { installedPackages } from '../../facts/packages/installed-packages.ts'
import type { InstalledPackage, PackageDatabase } from '../../facts/packages/package-source.ts'
import { terminalText } from '../../reports/terminal-text.ts'
import { exitCodes, exitWithMessage } from '../exit-codes.ts'
import { openLinuxRoot } from '../open-linux-root.ts'

export type PackagesFormat = 'table' | 'tsv' | 'json'

interface PackagesFlags {
  root: string
  format: PackagesFormat
}

/** Exit status when the package database cannot be read. */
export const databaseErrorExit = 2

const columns = ['name', 'epoch', 'version', 'release', 'arch'] as const

function fields(pkg: InstalledPackage): string[] {
  return [
    pkg.name,
    pkg.epoch === undefined ? '' : String(pkg.epoch),
    pkg.version,
    pkg.release ?? '',
    pkg.arch,
  ].map((field) => terminalText(field))
}

export function sortPackages(packages: readonly InstalledPackage[]): InstalledPackage[] {
  const key = (pkg: InstalledPackage) => [pkg.name, pkg.arch]
  return [...packages].sort((a, b) => {
    const [x, y] = [key(a), key(b)]
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1
    return 0
  })
}

/** The listing in one of the three formats; tsv has a header row, empty fields for no epoch or release. */
export function renderPackages(database: PackageDatabase, format: PackagesFormat): string {
  const sorted = sortPackages(database.packages)
  if (format === 'json') {
    return `${JSON.stringify({ format: database.format, database: database.path, packages: sorted }, null, 2)}\n`
  }
  const rows = sorted.map(fields)
  if (format === 'tsv')
    return [columns.join('\t'), ...rows.map((row) => row.join('\t'))].map((l) => `${l}\n`).join('')
  const header = columns.map((column) => column.toUpperCase())
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] as string).length)),
  )
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join('')
}

export function registerPackages(program: Command): void {
  program
    .command('packages')
    .description(
      'List the installed packages (name, epoch, version, release, arch) from the package database.',
    )
    .option('--root <dir>', 'read an offline root (mounted image, unpacked container) instead of /', '/')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'tsv', 'json']).default('table'),
    )
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : exitCodes.invalidOption))
    .action(async (flags: PackagesFlags) => {
      const host = await openLinuxRoot(flags.root)
      if (!host) return
      const { facts } = await gatherFacts(host, [installedPackages])
      const gathered = facts.get(installedPackages.id)
      if (!gathered || gathered.failed) {
        return exitWithMessage(gathered?.message ?? 'the package database was not read', databaseErrorExit)
      }
      const database = gathered.value as PackageDatabase
      for (const warning of database.warnings) {
        process.stderr.write(`preflight: ${warning.file}:${warning.line}: ${warning.message}\n`)
      }
      process.stdout.write(renderPackages(database, flags.format))
    })
}
