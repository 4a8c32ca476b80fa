import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { withTempRoot } from '../../test/helpers/temp-root.ts'
import { openHost } from '../host/host.ts'
import { type AptSources, aptSources, parseDeb822Sources, parseOneLineSources } from './apt-sources.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const collect = (root?: string) =>
  aptSources.collect({ host: openHost(root === undefined ? {} : { root }), progress: () => {} }, {})

/** Runs apt-get on a root (this machine when undefined); an empty APT_CONFIG keeps this machine's apt.conf.d out. */
function aptGet(root: string | undefined, args: string[]): { stdout: string; stderr: string } {
  const env = { ...process.env }
  const options: string[] = []
  if (root !== undefined) {
    env.APT_CONFIG = path.join(root, 'apt.conf')
    options.push('-o', `Dir=${root}`, '-o', `Dir::State::status=${root}/var/lib/dpkg/status`)
  }
  const run = spawnSync('apt-get', [...options, ...args], { encoding: 'utf8', env })
  return { stdout: run.stdout, stderr: run.stderr }
}

/** What apt itself would fetch: `type uri suite component`, as apt-get indextargets lists the index targets. */
function aptTargets(root?: string): string[] {
  const format = '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)'
  const { stdout, stderr } = aptGet(root, ['indextargets', '--no-release-info', '--format', format])
  assert.equal(stderr, '')
  return [
    ...new Set(
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/ \$\(COMPONENT\)$/, ' ')),
    ),
  ].sort()
}

function ourTargets(facts: AptSources): string[] {
  const targets = facts.sources
    .filter((s) => s.enabled)
    .flatMap((s) =>
      s.types.flatMap((type) =>
        s.uris.flatMap((uri) =>
          s.suites.flatMap((suite) =>
            (s.components.length > 0 ? s.components : ['']).map(
              (component) => `${type} ${uri.endsWith('/') ? uri : `${uri}/`} ${suite} ${component}`,
            ),
          ),
        ),
      ),
    )
  return [...new Set(targets)].sort()
}

/** A root apt-get can be pointed at: an empty apt.conf and dpkg status besides the given files. */
const withAptRoot = <T>(files: Record<string, string>, body: (root: string) => Promise<T>, base?: string) =>
  withTempRoot({ ...files, 'apt.conf': '', 'var/lib/dpkg/status': '' }, body, base)

test('the fixture roots list exactly the index targets apt-get indextargets lists for them', async () => {
  for (const name of ['debian12-thirdparty', 'debian12-clean']) {
    const facts = await collect(path.join(roots, name))
    assert.deepEqual(facts.warnings, [], name)
    await withAptRoot(
      {},
      async (root) => assert.deepEqual(ourTargets(facts), aptTargets(root), name),
      path.join(roots, name),
    )
  }
})

test("this machine's sources equal what apt-get indextargets lists", async () => {
  assert.deepEqual(ourTargets(await collect()), aptTargets())
})

test('options, comments, flat suites and cdrom labels with spaces agree with apt', async () => {
  await withAptRoot(
    {
      'etc/apt/sources.list': [
        'deb [ arch=amd64,i386 signed-by=/usr/share/keyrings/a.gpg ] http://a.example/debian bookworm main contrib # tail',
        '   deb-src http://src.example/debian bookworm main',
        '# deb http://commented.example/ x main',
        'deb [trusted=yes] http://flat.example/repo ./',
        'deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64]/ bookworm main',
        '',
      ].join('\n'),
      'etc/apt/sources.list.d/b.sources': [
        '# leading comment',
        'Types: deb deb-src',
        'URIs: http://b.example/debian http://c.example/debian',
        'Suites: bookworm',
        '# a comment inside the stanza',
        'Components: main',
        '  non-free-firmware',
        'Signed-By:',
        ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
        ' .',
        ' mQINBGOQ',
        ' -----END PGP PUBLIC KEY BLOCK-----',
        '',
        'Types: deb',
        'URIs: http://off.example/',
        'Suites: sid',
        'Components: main',
        'Enabled: no',
        '',
      ].join('\n'),
      'etc/apt/sources.list.d/old.list.save': 'deb http://saved.example/ x main\n',
    },
    async (root) => {
      const facts = await collect(root)
      const withoutCdrom = ourTargets(facts).filter((t) => !t.includes('cdrom:'))
      assert.deepEqual(
        withoutCdrom,
        aptTargets(root).filter((t) => !t.includes('cdrom:')),
      )
      const [first, source, flat, cdrom, b] = facts.sources
      assert.deepEqual(first?.options, { architectures: 'amd64,i386' })
      assert.deepEqual(first?.signedBy, {
        keyrings: ['/usr/share/keyrings/a.gpg'],
        fingerprints: [],
        inlineKey: false,
      })
      assert.equal(source?.line, 2)
      assert.deepEqual(flat?.options, { trusted: 'yes' })
      assert.deepEqual(cdrom?.uris, ['cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64]/'])
      assert.deepEqual(b?.signedBy, { keyrings: [], fingerprints: [], inlineKey: true })
      assert.deepEqual(b?.components, ['main', 'non-free-firmware'])
      assert.deepEqual(b?.fieldLines, { types: 2, uris: 3, suites: 4, components: 6, 'signed-by': 8 })
      assert.equal(facts.sources.at(-1)?.enabled, false)
      assert.deepEqual(facts.ignoredFiles, ['/etc/apt/sources.list.d/old.list.save'])
    },
  )
})

test('entries apt rejects are warnings on the same line apt names, and the rest is still read', async () => {
  const text = [
    'deb http://a/ x',
    'deb http://a/ ./ main',
    'deb http://a/',
    'debx http://a/ x main',
    'deb [arch=amd64 http://a/ x main',
    'deb http://ok.example/ bookworm main',
  ].join('\n')
  const { sources, warnings } = parseOneLineSources(text, '/etc/apt/sources.list')
  assert.deepEqual(
    sources.map((s) => s.uris[0]),
    ['http://ok.example/'],
  )
  assert.deepEqual(warnings, [
    { file: '/etc/apt/sources.list', line: 1, message: "suite 'x' needs at least one component" },
    {
      file: '/etc/apt/sources.list',
      line: 2,
      message: "suite './' is an exact path, so it takes no components",
    },
    { file: '/etc/apt/sources.list', line: 3, message: 'no suite' },
    { file: '/etc/apt/sources.list', line: 4, message: "type 'debx' is not known (deb or deb-src)" },
    { file: '/etc/apt/sources.list', line: 5, message: "the '[' option list is not closed with ']'" },
  ])
  // apt names the same line: each bad line alone, at its own line number, after the good one.
  const lines = text.split('\n')
  for (const warning of warnings) {
    const alone = lines
      .map((line, index) => (index + 1 === warning.line || index === 5 ? line : ''))
      .join('\n')
    await withAptRoot({ 'etc/apt/sources.list': `${alone}\n` }, async (root) =>
      assert.match(aptGet(root, ['indextargets']).stderr, new RegExp(`(entry|line) ${warning.line} `)),
    )
  }
})

test('deb822 problems: missing fields, odd Enabled values and repeated fields', () => {
  const { sources, warnings } = parseDeb822Sources(
    'Types: deb\nURIs: http://a/\n\nSuites: x\nComponents: main\n\nTypes: deb\nURIs: http://b/\nSuites: y\nComponents: main\nEnabled: maybe\nSuites: z\n',
    '/etc/apt/sources.list.d/x.sources',
  )
  assert.deepEqual(
    sources.map((s) => `${s.uris[0]} ${s.suites[0]} ${s.enabled}`),
    ['http://b/ z true'],
  )
  assert.deepEqual(warnings, [
    {
      file: '/etc/apt/sources.list.d/x.sources',
      line: 12,
      message: 'Suites is set again (first at line 9); the last value wins',
    },
    { file: '/etc/apt/sources.list.d/x.sources', line: 1, message: 'no suite' },
    { file: '/etc/apt/sources.list.d/x.sources', line: 4, message: 'no type (deb or deb-src)' },
    {
      file: '/etc/apt/sources.list.d/x.sources',
      line: 11,
      message: "Enabled: 'maybe' is not yes or no; apt treats it as yes",
    },
  ])
})
