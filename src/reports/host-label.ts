import type { HostIdentity } from '../engine/assessment.ts'

/**
 * How reports name the assessed system: its host name, and for an offline root also the root.
 * Without a host name the engine names an offline root by its path; that is said once.
 */
export function hostLabel(host: Pick<HostIdentity, 'hostname' | 'root' | 'live'>): string {
  if (host.live) return host.hostname
  if (host.hostname === host.root) return `offline root ${host.root}`
  return `${host.hostname} (offline root ${host.root})`
}
