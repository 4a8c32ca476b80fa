/**
 * @module
 * What the daemon asks of a routing daemon: make the announced prefixes equal the intents, and
 * say which prefixes may still be announced afterwards. The reconciler removes a loopback address
 * only when its prefix is not in `mayBeAnnounced`.
 */
import type { IpPrefix } from '../ip-prefix.ts'

export interface RouteIntent {
  readonly service: string
  readonly prefixes: readonly IpPrefix[]
  readonly announce: boolean
  /** BIRD protocol carrying only this service's routes (fast-path withdraw). */
  readonly birdProtocol?: string | undefined
}

export interface ApplyResult {
  readonly ok: boolean
  /** Prefixes confirmed announced. */
  readonly announced: ReadonlySet<string>
  /** Prefixes that are, or may still be, announced (confirmed announced + withdraws not yet confirmed). */
  readonly mayBeAnnounced: ReadonlySet<string>
  /** One line for logs and status: what the routing daemon said. */
  readonly message: string
  /** Something was sent to the routing daemon (false for a no-op resync). */
  readonly changed: boolean
}

export interface RoutingBackend {
  readonly kind: 'bird' | 'exabgp'
  /** Minimum time between two applies; changes in between are coalesced into the next one. */
  readonly minGap: number
  apply(intents: readonly RouteIntent[]): Promise<ApplyResult>
  close(): Promise<void>
}
