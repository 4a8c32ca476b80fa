/**
 * Process exit codes. 0–2 carry the assessment's risk exactly as `preupg --riskcheck`; the tool's
 * own failures reuse the Preupgrade Assistant's numbers so scripts written for preupg keep working.
 */
export const exitCodes = {
  /** At most medium risk. */
  ok: 0,
  /** High risk or needs_action. */
  highRisk: 1,
  /** Extreme risk, fail or error. */
  extremeRisk: 2,
  /** Bad option, an --root that is not a Linux root, or an output directory inside it (PA 22). */
  invalidOption: 22,
  /** --riskcheck before any run (PA 24). */
  noPreviousRun: 24,
  /** Internal error, or the results could not be written (PA 29). */
  internalError: 29,
  /** --riskcheck found a report it cannot trust: not a preflight report, or a newer schema major (not in PA). */
  unreadableReport: 31,
} as const

/** Ends the command with one `preflight: MESSAGE` line on stderr and `code`. */
export function exitWithMessage(message: string, code: number): void {
  process.stderr.write(`preflight: ${message}\n`)
  process.exitCode = code
}
