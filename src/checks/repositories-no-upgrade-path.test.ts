import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import { withTempRoot } from '../../test/helpers/temp-root.ts'
import { type AssessOptions, assess } from '../engine/assess.ts'
import { openHost } from '../host/host.ts'
import { repositoriesNoUpgradePath } from './repositories-no-upgrade-path.ts'
import { selinuxNotEnforcing } from './selinux-not-enforcing.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const run = (root: string, options: AssessOptions = {}) =>
  runCheckOn(repositoriesNoUpgradePath, root, options)

const where = (risks: { level: string; file?: string; line?: number }[]) =>
  risks.map((r) => `${r.level} ${r.file}:${r.line}`)

describe('repositories.no-upgrade-path on fixture roots', () => {
  test("the blog's CentOS 6.5: SCL has no CentOS 7 build", async () => {
    const result = await run(path.join(roots, 'centos65-blog'))
    assert.equal(result.status, 'needs_action')
    assert.deepEqual(where(result.risks), ['high /etc/yum.repos.d/CentOS-SCL.repo:7'])
    assert.match(
      result.risks[0]?.message ?? '',
      /^scl \(\/etc\/yum.repos.d\/CentOS-SCL.repo:7\): CentOS 6 Software Collections has no build for 7/,
    )
    assert.match(result.risks[0]?.message ?? '', /"No upgrade available for the following repos: scl"/)
    assert.equal(
      result.solution,
      [
        'scl: before the upgrade, add enabled=0 under [scl] at /etc/yum.repos.d/CentOS-SCL.repo:7, or run redhat-upgrade-tool with --disablerepo=scl. CentOS 7 ships Software Collections from the SCLo SIG instead: after the upgrade, yum install centos-release-scl.',
        'After the upgrade remove /etc/yum.repos.d/CentOS-SCL.repo, as the blog did: rm -f /etc/yum.repos.d/CentOS-SCL.repo',
      ].join('\n'),
    )
    assert.ok(
      result.messages.includes(
        'base (/etc/yum.repos.d/CentOS-Base.repo:13): CentOS Linux has a 7 build and follows $releasever.',
      ),
    )
    assert.ok(
      result.messages.includes(
        'epel (/etc/yum.repos.d/epel.repo:1): EPEL has a 7 build, but its mirrorlist (line 4) names 6; switching it is covered by repositories.third-party-gpg-key.',
      ),
    )
  })

  test('a CentOS 6.10 with only the base repositories enabled passes', async () => {
    const result = await run(path.join(roots, 'centos610-clean'))
    assert.equal(result.status, 'pass')
    assert.equal(result.messages[0], 'Disabled, not checked: centosplus, epel.')
  })

  test('Debian 12 with third-party suites named after bookworm: cannot verify they have trixie', async () => {
    const result = await run(path.join(roots, 'debian12-thirdparty'))
    assert.equal(result.status, 'needs_inspection')
    assert.deepEqual(where(result.risks), [
      'slight /etc/apt/sources.list.d/docker.list:1',
      'slight /etc/apt/sources.list.d/pgdg.sources:3',
    ])
    assert.match(result.risks[1]?.message ?? '', /apt.postgresql.org has a trixie-pgdg suite/)
    assert.match(
      result.solution ?? '',
      /check that https:\/\/download.docker.com\/linux\/debian publishes trixie before switching/,
    )
    assert.ok(result.messages.some((m) => /nodistro .*does not name bookworm/.test(m)))
    assert.ok(
      result.messages.some((m) => /bookworm-security .*the Debian archive has trixie-security/.test(m)),
    )
  })

  test('Debian 12 with only the Debian archive passes', async () => {
    assert.equal((await run(path.join(roots, 'debian12-clean'))).status, 'pass')
  })
})

describe('repositories.no-upgrade-path decisions', () => {
  test('CentOS 7 → 8: a pinned distribution repo, IUS, and unknown repos that follow or pin the release', async () => {
    await withTempRoot(
      {
        'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
        'etc/yum.repos.d/CentOS-Base.repo':
          '[base]\nname=CentOS-7 - Base\nbaseurl=http://mirror.centos.org/centos/7/os/$basearch/\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7\n',
        'etc/yum.repos.d/ius.repo': '[ius]\nbaseurl=https://repo.ius.io/7/$basearch/\nenabled=1\n',
        'etc/yum.repos.d/local.repo':
          '[follows]\nbaseurl=http://repo.example.com/el$releasever/$basearch/\n\n[pinned]\nbaseurl=http://repo.example.com/el7/$basearch/\n',
      },
      async (root) => {
        const result = await run(root, { target: '8' })
        assert.equal(result.status, 'needs_action')
        assert.deepEqual(
          result.risks.map((r) => `${r.level} ${r.message.split(':')[0]}`),
          [
            'high base (/etc/yum.repos.d/CentOS-Base.repo',
            'high ius (/etc/yum.repos.d/ius.repo',
            'slight follows (/etc/yum.repos.d/local.repo',
            'medium pinned (/etc/yum.repos.d/local.repo',
          ],
        )
        assert.match(
          result.risks[0]?.message ?? '',
          /its baseurl \(line 3\) hard-codes 7 instead of \$releasever/,
        )
        assert.match(result.risks[1]?.message ?? '', /IUS has no build for 8/)
        assert.match(
          result.risks[2]?.message ?? '',
          /cannot verify offline that repo.example.com has a build for 8; \$releasever will point it at 8/,
        )
        assert.match(
          result.risks[3]?.message ?? '',
          /its baseurl \(line 5\) names 7, so it would keep serving 7 packages/,
        )
        assert.match(
          result.solution ?? '',
          /^base: replace 7 with \$releasever in \/etc\/yum.repos.d\/CentOS-Base.repo, baseurl \(line 3\)\.$/m,
        )
        assert.match(
          result.solution ?? '',
          /ius: before the upgrade, set enabled=0 at \/etc\/yum.repos.d\/ius.repo:3\. IUS never built for EL 8/,
        )
        assert.doesNotMatch(result.solution ?? '', /redhat-upgrade-tool/)
      },
    )
  })

  test('RHEL 9 → 10: the Red Hat CDN is managed; a repository beyond what the table knows cannot be verified', async () => {
    await withTempRoot(
      {
        'etc/os-release': 'ID="rhel"\nVERSION_ID="9.7"\nPRETTY_NAME="Red Hat Enterprise Linux 9.7 (Plow)"\n',
        'etc/yum.repos.d/redhat.repo':
          '[rhel-9-for-x86_64-baseos-rpms]\nbaseurl = https://cdn.redhat.com/content/dist/rhel9/$releasever/x86_64/baseos/os\nenabled = 1\n',
        'etc/yum.repos.d/remi.repo':
          '[remi]\nmirrorlist=http://cdn.remirepo.net/enterprise/9/remi/$basearch/mirror\nbaseurl=http://rpms.remirepo.net/enterprise/9/remi/$basearch/\n',
      },
      async (root) => {
        const result = await run(root)
        assert.equal(result.status, 'needs_inspection')
        assert.deepEqual(where(result.risks), ['medium /etc/yum.repos.d/remi.repo:1'])
        assert.match(
          result.risks[0]?.message ?? '',
          /cannot verify offline that Remi's RPM repository has a build for 10/,
        )
        assert.ok(result.messages.some((m) => /Red Hat CDN, set up for 10 by subscription-manager/.test(m)))
      },
    )
  })

  test("Debian 10 → 11: 'buster/updates' must become 'bullseye-security', not 'bullseye/updates'", async () => {
    await withTempRoot(
      {
        'etc/os-release': 'ID=debian\nVERSION_ID="10"\nVERSION_CODENAME=buster\n',
        'etc/debian_version': '10.13\n',
        'etc/apt/sources.list':
          'deb http://deb.debian.org/debian buster main\ndeb http://security.debian.org/debian-security buster/updates main\n',
      },
      async (root) => {
        const result = await run(root)
        assert.equal(result.status, 'needs_inspection')
        assert.deepEqual(where(result.risks), ['medium /etc/apt/sources.list:2'])
        assert.match(
          result.risks[0]?.message ?? '',
          /security suite is called bullseye-security; replacing only the codename gives bullseye\/updates/,
        )
        assert.equal(result.solution, '/etc/apt/sources.list:2: use the suite bullseye-security.')
      },
    )
  })

  test('a malformed line is a warning with file and line; an unreadable file errors only the checks that read it', async () => {
    const base = path.join(roots, 'centos610-clean')
    await withTempRoot(
      { 'etc/yum.repos.d/extra.repo': '[extra]\nbaseurl http://repo.example.com/el$releasever/\n' },
      async (root) => {
        const result = await run(root)
        assert.deepEqual(result.warnings, [
          {
            file: '/etc/yum.repos.d/extra.repo',
            line: 2,
            message: "key 'baseurl http' contains a space: is the '=' missing?",
          },
          {
            file: '/etc/yum.repos.d/extra.repo',
            line: 1,
            message: "repository 'extra' has no baseurl, mirrorlist or metalink",
          },
        ])
        assert.equal(result.status, 'needs_inspection')
        const strict = await run(root, { strict: true })
        assert.equal(strict.status, 'error')

        await mkdir(path.join(root, 'etc/yum.repos.d/broken.repo'))
        const { assessment } = await assess(openHost({ root }), [
          repositoriesNoUpgradePath,
          selinuxNotEnforcing,
        ])
        const [repos, selinux] = assessment.results
        assert.equal(repos?.status, 'error')
        assert.match(
          repos?.error ?? '',
          /Package repositories \(yum\): \/etc\/yum.repos.d\/broken.repo: is a directory/,
        )
        assert.equal(selinux?.status, 'pass')
      },
      base,
    )
  })
})
