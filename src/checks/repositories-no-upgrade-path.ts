// A repository with no build for the target release is skipped by the upgrade (the blog's
// redhat-upgrade-tool: "No upgrade available for the following repos: scl"): its packages stay at
// the old release, and yum on the new one fails on the missing repository until it is disabled.
import type { AptSource, AptSources } from '../facts/apt-sources.ts'
import type { YumRepo, YumRepos, YumUrl } from '../facts/yum-repos.ts'
import { latestRelease, releaseTable } from './data/releases.ts'
import {
  buildFor,
  debianSecuritySuiteSince,
  describeUrls,
  disableInstruction,
  isDebianArchive,
  recognizeYumRepository,
  releaseBinding,
  repositoriesAsOf,
  repositoryUrls,
} from './data/repositories.ts'
import { type CheckContext, defineCheck } from './define-check.ts'
import { type CheckOutcome, informational, outcomeFromRisks, pass, type Risk, risk } from './result.ts'

function hostsOf(urls: YumUrl[]): string {
  const hosts = urls.map((url) =>
    url.raw.startsWith('file:') ? url.raw : (/^\w+:\/\/([^/]+)/.exec(url.raw)?.[1] ?? url.raw),
  )
  return [...new Set(hosts)].join(', ') || 'its source'
}

function assessYum(facts: YumRepos, { os, target }: CheckContext): CheckOutcome {
  if (os.major === undefined)
    return informational(
      'The installed major release is unknown, so repositories cannot be compared with the target.',
    )
  const source = os.major
  const enabled = facts.repos.filter((repo) => repo.enabled)
  const disabled = facts.repos.filter((repo) => !repo.enabled).map((repo) => repo.id)
  const messages: string[] = []
  if (disabled.length > 0) messages.push(`Disabled, not checked: ${disabled.join(', ')}.`)
  if (enabled.length === 0) return pass('No enabled yum repository.', ...messages)

  const risks: Risk[] = []
  const fixes: string[] = []
  const leftBehind: YumRepo[] = []
  const notes = new Set<string>()
  for (const repo of enabled) {
    const at = { file: repo.file, line: repo.line }
    const label = `${repo.id} (${repo.file}:${repo.line})`
    const known = recognizeYumRepository(repo)
    if (known?.managedBy) {
      messages.push(`${label}: ${known.name}, set up for ${target.major} by ${known.managedBy}.`)
      continue
    }
    const binding = releaseBinding(repo, source)
    const build = known ? buildFor(known, target.major) : 'unknown'
    if (known?.note) notes.add(`${known.name}: ${known.note}.`)

    if (known && build === 'yes') {
      if (binding.follows)
        messages.push(`${label}: ${known.name} has a ${target.major} build and follows $releasever.`)
      else if (known.thirdParty)
        messages.push(
          `${label}: ${known.name} has a ${target.major} build, but its ${describeUrls(repo, binding.pinned)} names ${source}; switching it is covered by repositories.third-party-gpg-key.`,
        )
      else {
        risks.push(
          risk(
            'high',
            `${label}: its ${describeUrls(repo, binding.pinned)} hard-codes ${source} instead of $releasever, so after the upgrade it still serves ${known.name} ${source} packages.`,
            at,
          ),
        )
        fixes.push(
          `${repo.id}: replace ${source} with $releasever in ${repo.file}, ${describeUrls(repo, binding.pinned)}.`,
        )
      }
      continue
    }

    if (known && build === 'no') {
      // High: the upgrade goes on without it, but its packages are left built for the old release,
      // and with the default skip_if_unavailable=0 yum on the new release stops at its missing metadata.
      risks.push(
        risk(
          'high',
          `${label}: ${known.name} has no build for ${target.major} (repositories.json, as of ${repositoriesAsOf}). The upgrade skips it — redhat-upgrade-tool says "No upgrade available for the following repos: ${repo.id}" — its packages stay at their ${source} builds, and yum on ${target.major} fails on the missing repository until it is disabled.`,
          at,
        ),
      )
      leftBehind.push(repo)
      fixes.push(
        `${repo.id}: before the upgrade, ${disableInstruction(repo)}${source === 6 ? `, or run redhat-upgrade-tool with --disablerepo=${repo.id}` : ''}.${known.successor ? ` ${known.successor}.` : ''}`,
      )
      continue
    }

    // Unknown repository (or a target newer than the table knows): slight when it follows the
    // release or does not depend on it, medium when its URLs name the old release.
    const urls = repositoryUrls(repo)
    const where = hostsOf(urls)
    const what = known ? known.name : where
    const pinned = binding.pinned.length > 0
    const detail = pinned
      ? `; its ${describeUrls(repo, binding.pinned)} names ${source}, so it would keep serving ${source} packages`
      : binding.follows
        ? `; $releasever will point it at ${target.major}`
        : '; its URLs do not depend on the release'
    risks.push(
      risk(
        pinned ? 'medium' : 'slight',
        `${label}: cannot verify offline that ${what} has a build for ${target.major}${detail}.`,
        at,
      ),
    )
    fixes.push(
      `${repo.id}: make sure ${where} has ${target.major} packages and ${pinned ? `point ${repo.file} at them` : 'keep it'}; otherwise ${disableInstruction(repo)} before the upgrade.`,
    )
  }

  const removable = [...new Set(leftBehind.map((repo) => repo.file))].filter((file) =>
    facts.repos
      .filter((repo) => repo.file === file)
      .every((repo) => leftBehind.includes(repo) || !repo.enabled),
  )
  for (const file of removable) fixes.push(`After the upgrade remove ${file}, as the blog did: rm -f ${file}`)
  messages.push(...notes)
  return outcomeFromRisks(risks, fixes, messages)
}

/** Whether a suite names the release: 'bookworm', 'bookworm-security', 'bookworm/updates', 'cloud-sdk-bookworm'. */
function namesCodename(suite: string, codename: string): boolean {
  return suite.split(/[-/_.]/).includes(codename)
}

function assessApt(facts: AptSources, { os, target }: CheckContext): CheckOutcome {
  const name = releaseTable(os.distro)?.name ?? os.name
  const sourceCodename =
    os.codename ?? (os.major === undefined ? undefined : latestRelease(os.distro, os.major)?.codename)
  const targetCodename = target.codename
  if (!sourceCodename || !targetCodename)
    return informational(
      `The release codenames of ${name} ${os.version} and of the target are unknown, so APT suites cannot be compared.`,
    )
  const enabled = facts.sources.filter((s) => s.enabled)
  if (enabled.length === 0) return pass('No enabled APT source.')

  const risks: Risk[] = []
  const fixes: string[] = []
  const messages: string[] = []
  const lineOf = (source: AptSource) => source.fieldLines?.suites ?? source.line
  for (const source of enabled) {
    const at = { file: source.file, line: lineOf(source) }
    for (const uri of source.uris) {
      for (const suite of source.suites) {
        const label = `${source.types.join(' ')} ${uri} ${suite} (${source.file}:${lineOf(source)})`
        if (!namesCodename(suite, sourceCodename)) {
          messages.push(`${label}: does not name ${sourceCodename}, so it does not change with the release.`)
          continue
        }
        const targetSuite = suite.split(sourceCodename).join(targetCodename)
        if (!isDebianArchive(uri)) {
          const host = /^\w+:\/\/([^/]+)/.exec(uri)?.[1] ?? uri
          risks.push(
            risk('slight', `${label}: cannot verify offline that ${host} has a ${targetSuite} suite.`, at),
          )
          fixes.push(
            `${source.file}:${lineOf(source)}: check that ${uri} publishes ${targetSuite} before switching this entry to it; otherwise disable it for the upgrade (comment the line out, or Enabled: no).`,
          )
        } else if (suite === `${sourceCodename}/updates` && target.major >= debianSecuritySuiteSince) {
          risks.push(
            risk(
              'medium',
              `${label}: since Debian ${debianSecuritySuiteSince} the security suite is called ${targetCodename}-security; replacing only the codename gives ${targetSuite}, which does not exist.`,
              at,
            ),
          )
          fixes.push(`${source.file}:${lineOf(source)}: use the suite ${targetCodename}-security.`)
        } else messages.push(`${label}: the Debian archive has ${targetSuite}; switch to it when upgrading.`)
      }
    }
  }
  return outcomeFromRisks(risks, fixes, messages)
}

export const repositoriesNoUpgradePath = defineCheck({
  id: 'repositories.no-upgrade-path',
  title: 'Repositories with no upgrade path',
  group: 'repositories',
  description:
    'Every enabled repository must have a build for the target release and follow the release change; one that does not is skipped by the upgrade, leaves its packages at the old release and breaks the package manager afterwards until it is removed.',
  needs: ['yumRepos', 'aptSources'],
  appliesTo: (_, { os }) =>
    os.family === 'rhel' || os.family === 'debian'
      ? undefined
      : `${os.name} uses neither yum nor APT repositories.`,
  run: ({ yumRepos, aptSources }, context) =>
    context.os.family === 'debian' ? assessApt(aptSources, context) : assessYum(yumRepos, context),
})
