#!/usr/bin/env node
/**
 * @module
 * The `preflight` command: one file per subcommand under commands/, registered here.
 */
import { Command } from 'commander'
import { toolVersion } from '../engine/version.ts'
import { registerAssess } from './commands/assess.ts'

const program = new Command('preflight')
  .description('Pre-upgrade assessment for Linux hosts: gather facts, run checks, report the risk.')
  .version(toolVersion)
  .showHelpAfterError()

registerAssess(program)

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`preflight: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 29
})
