/**
 * @module
 * A service's health from its checks' states under its `require` policy. `unknown` means the
 * checks have not decided yet; it is never announced, but it is not a failure either (no flap
 * penalty, no "down" alarm at start-up).
 */
import type { RequirePolicy } from '../config/anycast-config.ts'
import type { CheckState } from './rise-fall.ts'

export type ServiceHealth = 'unknown' | 'healthy' | 'failing'

export function serviceHealth(policy: RequirePolicy, states: readonly CheckState[]): ServiceHealth {
  const up = states.filter((state) => state === 'up').length
  const down = states.filter((state) => state === 'down').length
  const needed = policy.mode === 'all' ? states.length : policy.mode === 'any' ? 1 : policy.count
  if (up >= needed) return 'healthy'
  // Failing once the checks still undecided can no longer reach the number needed.
  if (states.length - down < needed) return 'failing'
  return 'unknown'
}
