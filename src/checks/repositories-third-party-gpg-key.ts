// After the upgrade a repository must serve the target's builds, signed with the target's key: the
// blog fetched RPM-GPG-KEY-EPEL-7 and ran `sed -i 's/6/7/g' epel.repo`, and its upgrade download
// failed on "The GPG keys listed for the "CentOS-7.0 - Base" repository are … not correct".
import {
  expandYumVariables,
  rpmKeyDirectory,
  type YumRepo,
  type YumRepos,
  yumReleasever,
} from '../facts/yum-repos.ts'
import {
  buildFor,
  describeUrls,
  disableInstruction,
  fillTemplate,
  type KnownYumRepository,
  namesRelease,
  recognizeYumRepository,
  releaseBinding,
} from './data/repositories.ts'
import { defineCheck } from './define-check.ts'
import { informational, outcomeFromRisks, type Risk, risk } from './result.ts'

/** Lines of the options whose value names the source release (name, URLs, gpgkey): what the blog's sed rewrote. */
function linesNamingRelease(repo: YumRepo, major: number): number[] {
  return Object.values(repo.options)
    .filter((option) => option.value.split('\n').some((part) => namesRelease(part, major)))
    .map((option) => option.line)
    .sort((a, b) => a - b)
}

function keyName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The lines to change from the source to the target release, file by file (what the blog's sed did). */
function editStep(repos: YumRepo[], source: number, major: number): string {
  const byFile = new Map<string, number[]>()
  for (const repo of repos)
    byFile.set(repo.file, [...(byFile.get(repo.file) ?? []), ...linesNamingRelease(repo, source)])
  const edits = [...byFile].map(
    ([file, lines]) => `${file} lines ${[...new Set(lines)].sort((a, b) => a - b).join(', ')}`,
  )
  return `change ${source} to ${major} in ${edits.join(' and ')} (the blog's \`sed -i 's/${source}/${major}/g' ${[...byFile.keys()].join(' ')}\` does this, but also rewrites any other ${source} in the file)`
}

/** Moving a known third-party repository to the target: its key, the edit, the archive and the vendor's hint, in order. */
function switchSteps(
  known: KnownYumRepository,
  repos: YumRepo[],
  releases: { source: number; target: number },
  key: { path: string; present: boolean } | undefined,
): string {
  const { source, target } = releases
  const archive =
    known.archived.includes(target) && known.archiveUrl
      ? fillTemplate(known.archiveUrl, { major: target })
      : undefined
  return [
    ...(key
      ? [
          key.present
            ? `${key.path} is already there`
            : `wget -O ${key.path} ${fillTemplate(known.keyUrl ?? '', { key: keyName(key.path) })}`,
        ]
      : []),
    editStep(repos, source, target),
    ...(archive
      ? [
          `${known.name} ${target} is archived, so use baseurl=${archive}$basearch/ instead of the mirror list`,
        ]
      : []),
    ...(known.switchHint ? [fillTemplate(known.switchHint, { major: target })] : []),
  ].join('; ')
}

function gpgcheckFinding(repo: YumRepo, facts: YumRepos): { risk: Risk; fix: string } {
  const option = repo.options.gpgcheck
  const where = option
    ? `gpgcheck=${option.value} at line ${option.line}`
    : `the [main] default gpgcheck=0${facts.mainConfig ? ` in ${facts.mainConfig}` : ''}`
  return {
    // Slight: it breaks nothing in the upgrade, but every package of this repository, the upgrade's
    // included, is installed without a signature check.
    risk: risk(
      'slight',
      `${repo.id} (${repo.file}:${repo.line}): signatures are not checked (${where}), so its packages are installed unverified, during the upgrade too.`,
      { file: repo.file, line: option?.line ?? repo.line },
    ),
    fix: `${repo.id}: ${option ? `set gpgcheck=1 at ${repo.file}:${option.line}` : `add gpgcheck=1 under [${repo.id}] (${repo.file}:${repo.line})`} and list its key in gpgkey.`,
  }
}

export const repositoriesThirdPartyGpgKey = defineCheck({
  id: 'repositories.third-party-gpg-key',
  title: 'Repositories that must switch to the target release and its GPG key',
  group: 'repositories',
  description:
    "A third-party repository such as EPEL has a separate build and signing key per release: left pointing at the old release it keeps installing the old builds, and without the new key yum refuses the new ones. A distribution repository that lists only the old release's key makes the upgrade download fail.",
  needs: ['yumRepos'],
  appliesTo: (_, { os }) =>
    os.family === 'rhel'
      ? undefined
      : `${os.name} has no yum repositories; APT sources name their keys per vendor (Signed-By), and Debian's own keys come with debian-archive-keyring.`,
  run: ({ yumRepos: facts }, { os, target }) => {
    if (os.major === undefined) return informational('The installed major release is unknown.')
    const source = os.major
    const releases = { source, target: target.major }
    const targetVariables = {
      ...facts.variables,
      releasever: { value: yumReleasever({ ...os, major: target.major }) ?? String(target.major) },
    }
    const risks: Risk[] = []
    const fixes: string[] = []
    const messages: string[] = []
    /** Disabled third-party repositories still on the source release, by known repository. */
    const disabledSwitches = new Map<
      string,
      { known: KnownYumRepository; key: { path: string; present: boolean } | undefined; repos: YumRepo[] }
    >()
    /** Enabled distribution repositories whose target key is not listed, by the key's path. */
    const missingKeys = new Map<string, { known: KnownYumRepository; key: string; repos: YumRepo[] }>()

    for (const repo of facts.repos) {
      const label = `${repo.id} (${repo.file}:${repo.line})`
      if (repo.enabled && !repo.gpgcheck) {
        const { risk: finding, fix } = gpgcheckFinding(repo, facts)
        risks.push(finding)
        fixes.push(fix)
      }
      const known = recognizeYumRepository(repo)
      if (!known || known.managedBy || buildFor(known, target.major) !== 'yes') continue

      const targetKey = known.gpgKeys[String(target.major)]
      const targetKeyPath = targetKey ? `${rpmKeyDirectory}/${targetKey}` : undefined
      const keyPresent = targetKeyPath !== undefined && facts.gpgKeyFiles.includes(targetKeyPath)
      const keysOnTarget = repo.gpgkeys.map((key) => expandYumVariables(key.raw, targetVariables).expanded)
      const listsTargetKey = !targetKey || keysOnTarget.some((key) => key.endsWith(`/${targetKey}`))
      const pinned = known.thirdParty ? releaseBinding(repo, source).pinned : []
      const gpgkeyLine = repo.options.gpgkey?.line ?? repo.line
      const listed = repo.gpgkeys.map((key) => keyName(key.raw)).join(', ') || 'no key'

      if (pinned.length === 0 && listsTargetKey) {
        if (targetKeyPath && !keyPresent && repo.enabled) {
          risks.push(
            risk(
              'medium',
              `${label}: gpgkey (line ${gpgkeyLine}) lists ${targetKeyPath}, which is missing.`,
              {
                file: repo.file,
                line: gpgkeyLine,
              },
            ),
          )
          fixes.push(
            `${repo.id}: download ${fillTemplate(known.keyUrl ?? '', { key: targetKey })} to ${targetKeyPath}.`,
          )
        } else messages.push(`${label}: ${known.name} is ready for ${target.major}.`)
        continue
      }

      if (!known.thirdParty) {
        if (!repo.enabled || !targetKey || !targetKeyPath) continue
        const entry = missingKeys.get(targetKeyPath) ?? { known, key: targetKey, repos: [] }
        entry.repos.push(repo)
        missingKeys.set(targetKeyPath, entry)
        // High when the key is not even on disk; medium when it is, since it may already be in the
        // rpm database (`rpm --import`), which offline reading does not see.
        risks.push(
          risk(
            keyPresent ? 'medium' : 'high',
            `${label}: gpgkey (line ${gpgkeyLine}) lists only ${listed}, not ${targetKey}${keyPresent ? '' : `, and ${targetKeyPath} is missing`}: the upgrade cannot verify ${known.name} ${target.major} packages${keyPresent ? ' unless that key is already imported' : ''}.`,
            { file: repo.file, line: gpgkeyLine },
          ),
        )
        continue
      }

      const problems = [
        ...(pinned.length > 0 ? [`its ${describeUrls(repo, pinned)} names ${source}`] : []),
        ...(listsTargetKey ? [] : [`its gpgkey (line ${gpgkeyLine}) lists only ${listed}`]),
      ]
      const key = targetKeyPath ? { path: targetKeyPath, present: keyPresent } : undefined
      if (!repo.enabled) {
        const group = disabledSwitches.get(known.id) ?? { known, key, repos: [] }
        group.repos.push(repo)
        disabledSwitches.set(known.id, group)
        continue
      }
      risks.push(
        risk(
          'high',
          `${label}: this is ${known.name} ${source} — ${problems.join(', and ')}${targetKeyPath && !keyPresent ? `; ${targetKeyPath} is not installed` : ''}. Left as it is, it keeps installing ${known.name} ${source} builds on ${target.major}.`,
          { file: repo.file, line: repo.line },
        ),
      )
      fixes.push(
        `${repo.id}: keep it out of the upgrade — ${disableInstruction(repo)}${source === 6 ? `, or run redhat-upgrade-tool with --disablerepo=${repo.id} as the blog did` : ''}. On ${target.major}, switch it to ${known.name} ${target.major}: ${switchSteps(known, [repo], releases, key)}.`,
      )
    }

    for (const { known, key, repos } of disabledSwitches.values()) {
      const ids = repos.map((repo) => repo.id).join(', ')
      messages.push(
        `${ids} (${known.name} ${source}): disabled, so out of the upgrade. On ${target.major}, before enabling ${repos.length > 1 ? 'them' : 'it'}: ${switchSteps(known, repos, releases, key)}.`,
      )
    }

    for (const [path, { known, key, repos }] of missingKeys) {
      const gpgkeyLines = repos
        .map((repo) => `${repo.file}:${repo.options.gpgkey?.line ?? repo.line}`)
        .join(', ')
      fixes.push(
        `${known.name} ${target.major} key: ${facts.gpgKeyFiles.includes(path) ? `${path} is there; ` : `download ${fillTemplate(known.keyUrl ?? '', { key })} to ${path}, `}check its fingerprint and run \`rpm --import ${path}\` before the upgrade, or add it to the gpgkey lines (${gpgkeyLines}). Do not fall back to --nogpgcheck as the blog had to after "The GPG keys listed for the "CentOS-7.0 - Base" repository are already installed but they are not correct for this package".`,
      )
    }
    return outcomeFromRisks(risks, fixes, messages)
  },
})
