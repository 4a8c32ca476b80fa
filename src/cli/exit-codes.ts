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
  /** Bad option or an --root that is not a Linux root (PA 22). */
  invalidOption: 22,
  /** --riskcheck before any run (PA 24). */
  noPreviousRun: 24,
  /** Internal error (PA 29). */
  internalError: 29,
} as const
