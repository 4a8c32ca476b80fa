// In-place upgrades start from the last point release of a major and go one major at a time:
// Red Hat supports RHEL 6.10 → 7.9 only (PA's SystemVersion module), Debian supports upgrades from
// the previous stable release only (release notes, "Upgrading from Debian <previous>").
import type { OsIdentity } from '../facts/os-identity.ts'
import { compareVersions, latestRelease, releasesAsOf, releaseTable } from './data/releases.ts'
import type { TargetRelease } from './define-check.ts'
import { defineCheck } from './define-check.ts'
import { informational, outcomeFromRisks, type Risk, risk } from './result.ts'

function updateCommand(os: OsIdentity): string {
  return os.family === 'debian' ? 'apt update && apt full-upgrade' : 'yum update'
}

/** Why the target cannot be reached from this major in place, or undefined when it is the next major. */
function targetProblem(os: OsIdentity, target: TargetRelease, name: string): Risk | undefined {
  const major = os.major as number
  if (target.major <= major)
    return risk(
      'extreme',
      `The target ${name} ${target.version} is not newer than the installed ${os.version}.`,
    )
  if (target.major > major + 1)
    return risk(
      'extreme',
      `The target ${name} ${target.version} skips ${name} ${major + 1}: in-place upgrades go one major release at a time (${major} → ${major + 1} → …).`,
    )
  const release = latestRelease(os.distro, target.major)
  if (!release)
    return risk(
      'extreme',
      `There is no ${name} ${target.major} (releases.json, as of ${releasesAsOf}), so there is nothing to upgrade to.`,
    )
  if (release.released === false) {
    const codename = release.codename ? ` (${release.codename})` : ''
    return risk(
      'high',
      `${name} ${target.major}${codename} is not released yet; upgrading to it is not supported.`,
    )
  }
  return undefined
}

export const systemVersion = defineCheck({
  id: 'system.version',
  title: 'System version and upgrade path',
  group: 'system',
  description:
    'An in-place upgrade is supported only from the latest point release of a major, to the next major. An older point release misses the fixes the upgrade tools rely on, and skipping a major is impossible in place.',
  needs: ['osIdentity'],
  run: ({ osIdentity: os }, { target }) => {
    const table = releaseTable(os.distro)
    if (!table || os.major === undefined)
      return informational(
        `releases.json (as of ${releasesAsOf}) has no point releases for ${os.name || os.distro}, so preflight cannot tell whether ${os.version || 'this version'} is the latest one.`,
      )
    const name = table.name
    const risks: Risk[] = []
    const messages: string[] = []
    const solutions: string[] = []

    const targetRisk = targetProblem(os, target, name)
    if (targetRisk) {
      risks.push(targetRisk)
      solutions.push(
        targetRisk.level === 'extreme'
          ? `Choose ${name} ${os.major + 1} as the target (--target ${os.major + 1}) and upgrade further from there.`
          : `Wait for ${name} ${target.major} to be released; until then stay on ${name} ${os.major}.`,
      )
    } else
      messages.push(`${name} ${os.major} → ${target.major} is one major release: an in-place upgrade path.`)

    const latest = latestRelease(os.distro, os.major)?.latest
    if (latest === undefined || os.version === '') {
      messages.push(
        `releases.json (as of ${releasesAsOf}) has no latest point release for ${name} ${os.major}.`,
      )
    } else if (compareVersions(os.version, latest) < 0) {
      // EL: high, as PA's SystemVersion (high/extreme) and leapp's inhibitor for unsupported source
      // versions, but not extreme: a `yum update` fixes it in minutes. Debian: medium, because the
      // release notes only recommend the latest point release; apt upgrades from any of them.
      const level = os.family === 'debian' ? 'medium' : 'high'
      risks.push(
        risk(
          level,
          `${name} ${os.version} is not the latest ${name} ${os.major} release (${latest}, per releases.json as of ${releasesAsOf}).`,
          os.source ? { file: os.source } : {},
        ),
      )
      solutions.push(
        `Update to ${name} ${latest} first — \`${updateCommand(os)}\` — then reboot and run preflight again${os.family === 'rhel' ? ' (the blog, too, ran `yum update` before preupg)' : ''}.`,
      )
    } else
      messages.push(
        `${name} ${os.version} is the latest ${name} ${os.major} release (releases.json as of ${releasesAsOf}).`,
      )

    return outcomeFromRisks(risks, solutions, messages)
  },
})
