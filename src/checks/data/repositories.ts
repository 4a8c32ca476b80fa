/**
 * @module
 * Typed access to repositories.json (validated when loaded, so a bad edit fails loudly instead of
 * silently matching nothing), and the questions the repository checks ask of a yum repository or
 * an APT source: which known repository is it, does it have a build for a release, does it follow
 * `$releasever` or name the release in its URLs.
 */
import { z } from 'zod'
import type { YumRepo, YumUrl } from '../../facts/yum-repos.ts'
import repositoriesData from './repositories.json' with { type: 'json' }

const yumRepositorySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    urlPatterns: z.array(z.string()).min(1),
    thirdParty: z.boolean().default(false),
    managedBy: z.string().optional(),
    builds: z.array(z.number().int()).default([]),
    knownUpTo: z.number().int().default(0),
    gpgKeys: z.record(z.string(), z.string()).default({}),
    keyUrl: z.string().optional(),
    archived: z.array(z.number().int()).default([]),
    archiveUrl: z.string().optional(),
    switchHint: z.string().optional(),
    successor: z.string().optional(),
    note: z.string().optional(),
  })
  .refine((known) => Object.keys(known.gpgKeys).length === 0 || known.keyUrl, 'gpgKeys needs a keyUrl')
  .refine((known) => known.archived.length === 0 || known.archiveUrl, 'archived needs an archiveUrl')

const repositoriesSchema = z.object({
  asOf: z.string(),
  yum: z.array(yumRepositorySchema),
  apt: z.object({
    debian: z.object({
      name: z.string(),
      hostPatterns: z.array(z.string()),
      securitySuiteSince: z.number().int(),
    }),
  }),
})

export type KnownYumRepository = z.infer<typeof yumRepositorySchema>

const data = repositoriesSchema.parse(repositoriesData)
export const repositoriesAsOf = data.asOf
const yumPatterns = data.yum.map((known) => ({
  known,
  patterns: known.urlPatterns.map((pattern) => new RegExp(pattern, 'i')),
}))
const debianHosts = data.apt.debian.hostPatterns.map((pattern) => new RegExp(pattern, 'i'))
/** From this Debian major on, the security suite is '<codename>-security' (before: '<codename>/updates'). */
export const debianSecuritySuiteSince = data.apt.debian.securitySuiteSince

/** Where yum fetches a repository from: every baseurl, the mirrorlist and the metalink. */
export function repositoryUrls(repo: YumRepo): YumUrl[] {
  return [
    ...repo.baseurls,
    ...(repo.mirrorlist ? [repo.mirrorlist] : []),
    ...(repo.metalink ? [repo.metalink] : []),
  ]
}

export function recognizeYumRepository(repo: YumRepo): KnownYumRepository | undefined {
  const urls = repositoryUrls(repo).map((url) => url.raw)
  return yumPatterns.find(({ patterns }) => urls.some((url) => patterns.some((p) => p.test(url))))?.known
}

/** 'unknown' when the target is newer than anything the table speaks for. */
export function buildFor(known: KnownYumRepository, major: number): 'yes' | 'no' | 'unknown' {
  if (known.builds.includes(major)) return 'yes'
  return major <= known.knownUpTo ? 'no' : 'unknown'
}

/**
 * Whether a URL, key path or name hard-codes release `major`: '/6/', 'epel-6', 'el6', '6Server',
 * 'RPM-GPG-KEY-CentOS-6', '/6.5/'. Only the part after the host is searched, so an address like
 * 10.6.0.1 is not a release, and neither is the 6 of 'x86_64'.
 */
export function namesRelease(text: string, major: number): boolean {
  const afterHost = text.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
  const release = new RegExp(
    `(?<![0-9a-z])(?:el|rhel|epel|centos)?[-_]?${major}(?:\\.\\d+)*(?:server|workstation|client|computenode)?(?![0-9a-z.])`,
    'i',
  )
  return release.test(afterHost)
}

function usesReleasever(text: string): boolean {
  return /\$\{?releasever/i.test(text)
}

/**
 * How a repository's URLs relate to the release: `pinned` are the URLs that name the source major
 * (they keep pointing at it after the upgrade); it follows the release when it has no such URL and
 * at least one uses $releasever.
 */
export function releaseBinding(repo: YumRepo, sourceMajor: number): { follows: boolean; pinned: YumUrl[] } {
  const urls = repositoryUrls(repo)
  const pinned = urls.filter((url) => namesRelease(url.raw, sourceMajor))
  return { follows: pinned.length === 0 && urls.some((url) => usesReleasever(url.raw)), pinned }
}

function urlOption(repo: YumRepo, url: YumUrl): string {
  if (url === repo.mirrorlist) return 'mirrorlist'
  if (url === repo.metalink) return 'metalink'
  return 'baseurl'
}

/** 'mirrorlist (line 4)' for each URL, joined. */
export function describeUrls(repo: YumRepo, urls: YumUrl[]): string {
  return [...new Set(urls.map((url) => `${urlOption(repo, url)} (line ${url.line})`))].join(', ')
}

/** Where a fix turns the repository off: its enabled= line, or under its header. */
export function disableInstruction(repo: YumRepo): string {
  const enabled = repo.options.enabled
  return enabled
    ? `set enabled=0 at ${repo.file}:${enabled.line}`
    : `add enabled=0 under [${repo.id}] at ${repo.file}:${repo.line}`
}

/** Fills {major} and {key} in a template of the data file. */
export function fillTemplate(template: string, values: { major?: number; key?: string }): string {
  return template.replace(/\{major\}/g, String(values.major ?? '')).replace(/\{key\}/g, values.key ?? '')
}

export function isDebianArchive(uri: string): boolean {
  const host = /^[a-z+]+:\/\/([^/:]+)/i.exec(uri)?.[1]
  return host !== undefined && debianHosts.some((pattern) => pattern.test(host))
}
