/**
 * @module
 * Route-flap dampening for a service (BIRD has none, pitfall 11), after RFC 2439:
 *
 *   penalty(t) = penalty(t0) · 2^(−(t − t0) / halfLife)
 *
 * Every flap (healthy → failing) adds `penalty`. When the decayed penalty exceeds `suppress` at a
 * flap, the service is suppressed: it stays withdrawn, even when healthy, until the penalty has
 * decayed to `reuse`, which takes halfLife · log2(penalty / reuse). The penalty is capped at
 * reuse · 2^(maxSuppress / halfLife), so no suppression outlasts `maxSuppress` after the last flap.
 * Pure and time-parameterised: callers pass `now`.
 */
import type { DampeningSettings } from '../config/anycast-config.ts'

export interface DampeningState {
  /** Penalty as of `at`. */
  readonly penalty: number
  readonly at: number
  readonly suppressed: boolean
  readonly flaps: number
}

export const initialDampening: DampeningState = { penalty: 0, at: 0, suppressed: false, flaps: 0 }

export function decayedPenalty(state: DampeningState, settings: DampeningSettings, now: number): number {
  if (state.penalty === 0) return 0
  return state.penalty * 2 ** (-Math.max(0, now - state.at) / settings.halfLife)
}

export function penaltyCeiling(settings: DampeningSettings): number {
  return settings.reuse * 2 ** (settings.maxSuppress / settings.halfLife)
}

/** The state after a flap at `now`. */
export function recordFlap(state: DampeningState, settings: DampeningSettings, now: number): DampeningState {
  const penalty = Math.min(decayedPenalty(state, settings, now) + settings.penalty, penaltyCeiling(settings))
  const current = settle(state, settings, now)
  return {
    penalty,
    at: now,
    suppressed: current.suppressed || penalty > settings.suppress,
    flaps: state.flaps + 1,
  }
}

// Float slack so that waiting exactly suppressedFor() always ends the suppression.
const reuseSlack = 1 + 1e-9

/** Lifts the suppression once the penalty has decayed to `reuse`. */
export function settle(state: DampeningState, settings: DampeningSettings, now: number): DampeningState {
  if (!state.suppressed) return state
  const penalty = decayedPenalty(state, settings, now)
  return penalty <= settings.reuse * reuseSlack ? { ...state, penalty, at: now, suppressed: false } : state
}

/** Milliseconds until a suppressed service may be announced again; 0 when not suppressed. */
export function suppressedFor(state: DampeningState, settings: DampeningSettings, now: number): number {
  if (!state.suppressed) return 0
  const penalty = decayedPenalty(state, settings, now)
  if (penalty <= settings.reuse * reuseSlack) return 0
  return Math.ceil(settings.halfLife * Math.log2(penalty / settings.reuse))
}
