/**
 * @module
 * The shape every check type implements: one attempt, cancelled through the signal (the check
 * loop aborts it at its time-out). A probe resolves with a result; it rejects only on a bug.
 */

export interface ProbeResult {
  readonly ok: boolean
  /** One line for logs and `status`: what was seen, or why it failed. */
  readonly detail: string
}

export type Probe = (signal: AbortSignal) => Promise<ProbeResult>

export const passed = (detail: string): ProbeResult => ({ ok: true, detail })
export const failed = (detail: string): ProbeResult => ({ ok: false, detail })

/** A socket error as a short sentence (`ECONNREFUSED` → "connection refused"). */
export function describeSocketError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listening)',
    EADDRNOTAVAIL: 'source address is not on this node',
    ENETUNREACH: 'network unreachable',
    EHOSTUNREACH: 'host unreachable',
    ECONNRESET: 'connection reset',
  }
  return (code && known[code]) ?? (error instanceof Error ? error.message : String(error))
}
