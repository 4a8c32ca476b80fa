import { distroName } from '../checks/data/releases.ts'
import type { TargetRelease } from '../checks/define-check.ts'

/**
 * How reports name the target release: as people say it, 'Debian 13 (trixie)', 'CentOS 7'. A
 * distribution the releases table does not list itself (Rocky, tracked under RHEL) keeps its
 * os-release id rather than borrow another's name.
 */
export function targetLabel(target: TargetRelease | undefined): string | undefined {
  if (!target) return undefined
  const name = distroName(target.distro) ?? target.distro
  return `${name} ${target.version}${target.codename ? ` (${target.codename})` : ''}`
}
