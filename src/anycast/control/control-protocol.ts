/**
 * @module
 * The local control socket's messages: one JSON request line, one JSON response line, then the
 * daemon closes the connection. `status` is also what `preflight anycast status --json` prints.
 */
import type { CheckState } from '../policy/rise-fall.ts'
import type { ServiceHealth } from '../policy/service-health.ts'

export type ServiceState = 'starting' | 'up' | 'down' | 'held' | 'drained'
export type RouteState = 'announced' | 'withdrawn' | 'pending'
export type AddressState = 'present' | 'absent' | 'unmanaged' | 'unknown'

export interface CheckStatus {
  readonly name: string
  readonly type: string
  readonly state: CheckState
  readonly successes: number
  readonly failures: number
  readonly last?: {
    readonly ok: boolean
    readonly detail: string
    readonly at: number
    readonly durationMs: number
  }
  readonly nextAt: number
}

export interface ServiceStatus {
  readonly name: string
  readonly state: ServiceState
  readonly since: number
  readonly health: ServiceHealth
  /** Why the service is drained (the file that exists, or `control`), if it is. */
  readonly drainedBy: string | undefined
  readonly penalty: number
  readonly flaps: number
  /** Milliseconds until a suppressed service may be announced again. */
  readonly holdDownMs: number
  readonly prefixes: readonly {
    readonly prefix: string
    readonly route: RouteState
    readonly address: AddressState
  }[]
  readonly checks: readonly CheckStatus[]
}

export interface AnycastStatus {
  readonly pid: number
  readonly config: string
  readonly backend: 'bird' | 'exabgp'
  readonly startedAt: number
  readonly now: number
  readonly lastReload: { readonly ok: boolean; readonly at: number; readonly message: string } | undefined
  readonly services: readonly ServiceStatus[]
}

export type ControlRequest =
  | { readonly command: 'status' }
  | {
      readonly command: 'drain' | 'undrain'
      /** Empty: every service (the daemon's drain file). */
      readonly services: readonly string[]
      /** Reply only once the change is confirmed by the routing daemon (or the wait ends). */
      readonly waitMs: number
    }

export type ControlResponse =
  | { readonly ok: true; readonly status: AnycastStatus; readonly message?: string }
  | { readonly ok: false; readonly error: string; readonly status?: AnycastStatus }
