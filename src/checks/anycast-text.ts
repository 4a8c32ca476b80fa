/**
 * @module
 * Wording shared by the network.anycast-* checks, so every finding names places and sessions the
 * same way.
 */
import type { AnycastPrefix } from '../facts/anycast-setup.ts'
import type { BirdBgpSession } from '../facts/bird-config.ts'

export const anycastText = {
  /** `file:line`, or the file alone. */
  at(location: { file?: string; line?: number }): string {
    return location.line === undefined ? (location.file ?? '?') : `${location.file}:${location.line}`
  },

  /** Only the file and line of a location, for `risk()` (which keeps every field it is given). */
  where(location: { file?: string; line?: number }): { file?: string; line?: number } {
    return {
      ...(location.file === undefined ? {} : { file: location.file }),
      ...(location.line === undefined ? {} : { line: location.line }),
    }
  },

  /** `BGP protocol uplink (neighbor 192.0.2.1, AS 64500)` */
  session(session: BirdBgpSession): string {
    const peer = [
      session.neighbor && `neighbor ${session.neighbor}`,
      session.neighborAs && `AS ${session.neighborAs}`,
    ]
      .filter(Boolean)
      .join(', ')
    return `BGP protocol ${session.protocol}${peer ? ` (${peer})` : ''}`
  },

  /** `203.0.113.53/32, 203.0.113.54/32` */
  prefixes(prefixes: readonly AnycastPrefix[]): string {
    return prefixes.map(({ prefix }) => prefix.text).join(', ')
  },
}
