#!/usr/bin/env node
/**
 * @module
 * The `preflight` command: one file per subcommand under commands/, registered here.
 */
import { Command } from 'commander'
import { toolVersion } from '../engine/version.ts'
import { registerAnycast } from './commands/anycast.ts'
import { registerAssess } from './commands/assess.ts'
import { registerPackages } from './commands/packages.ts'
import { registerVerify } from './commands/verify.ts'
import { exitCodes, exitWithMessage } from './exit-codes.ts'

// `preflight packages | head`: a reader that stops early is not an error; exit as a pipe's writer would, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(process.exitCode ?? 0)
})

const program = new Command('preflight')
  .description('Pre-upgrade assessment for Linux hosts: gather facts, run checks, report the risk.')
  .version(toolVersion)
  .showHelpAfterError('(preflight help [command] for usage)')
  // Commander exits 1 on a usage error, which scripts would read as "high risk": keep 1 and 2 for risk.
  .exitOverride((error) => {
    const helpOrVersion = error.exitCode === 0
    process.exit(helpOrVersion ? 0 : exitCodes.invalidOption)
  })

registerAssess(program)
registerAnycast(program)
registerPackages(program)
registerVerify(program)

program.parseAsync(process.argv).catch((error: unknown) => {
  exitWithMessage(error instanceof Error ? error.message : String(error), exitCodes.internalError)
})
