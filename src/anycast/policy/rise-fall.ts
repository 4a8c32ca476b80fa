/**
 * @module
 * The hysteresis of one check: `rise` consecutive successes make it up, `fall` consecutive
 * failures make it down. A check starts `unknown` (counted as not up), so nothing is announced
 * before it has passed `rise` times. Pure: the caller owns time and scheduling.
 */

export type CheckState = 'unknown' | 'up' | 'down'

export interface RiseFallState {
  readonly state: CheckState
  /** Consecutive successes (0 after a failure). */
  readonly successes: number
  /** Consecutive failures (0 after a success). */
  readonly failures: number
}

export const initialRiseFall: RiseFallState = { state: 'unknown', successes: 0, failures: 0 }

export function applyResult(current: RiseFallState, ok: boolean, rise: number, fall: number): RiseFallState {
  if (ok) {
    const successes = current.successes + 1
    return {
      state: current.state !== 'up' && successes >= rise ? 'up' : current.state,
      successes,
      failures: 0,
    }
  }
  const failures = current.failures + 1
  return {
    state: current.state !== 'down' && failures >= fall ? 'down' : current.state,
    successes: 0,
    failures,
  }
}

/** True while a change of state is being counted (or not yet decided): the check runs at its fast interval. */
export function isChanging(current: RiseFallState): boolean {
  if (current.state === 'unknown') return true
  return current.state === 'up' ? current.failures > 0 : current.successes > 0
}
