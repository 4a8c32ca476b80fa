import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import { withTempRoot } from '../../test/helpers/temp-root.ts'
import type { AssessOptions } from '../engine/assess.ts'
import { repositoriesThirdPartyGpgKey } from './repositories-third-party-gpg-key.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const run = (root: string, options: AssessOptions = {}) =>
  runCheckOn(repositoriesThirdPartyGpgKey, root, options)

describe('repositories.third-party-gpg-key on fixture roots', () => {
  test("the blog's CentOS 6.5: EPEL 6 must become EPEL 7, and the base repos list only the CentOS 6 key", async () => {
    const result = await run(path.join(roots, 'centos65-blog'))
    assert.equal(result.status, 'needs_action')
    assert.deepEqual(
      result.risks.map((r) => `${r.level} ${r.file}:${r.line}`),
      [
        'high /etc/yum.repos.d/CentOS-Base.repo:18',
        'high /etc/yum.repos.d/CentOS-Base.repo:26',
        'high /etc/yum.repos.d/CentOS-Base.repo:34',
        'high /etc/yum.repos.d/epel.repo:1',
      ],
    )
    assert.equal(
      result.risks[0]?.message,
      'base (/etc/yum.repos.d/CentOS-Base.repo:13): gpgkey (line 18) lists only RPM-GPG-KEY-CentOS-6, not RPM-GPG-KEY-CentOS-7, and /etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7 is missing: the upgrade cannot verify CentOS Linux 7 packages.',
    )
    assert.equal(
      result.risks[3]?.message,
      'epel (/etc/yum.repos.d/epel.repo:1): this is EPEL 6 — its mirrorlist (line 4) names 6, and its gpgkey (line 8) lists only RPM-GPG-KEY-EPEL-6; /etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-7 is not installed. Left as it is, it keeps installing EPEL 6 builds on 7.',
    )
    const [epelFix, keyFix] = (result.solution ?? '').split('\n')
    assert.match(
      epelFix ?? '',
      /^epel: keep it out of the upgrade — set enabled=0 at \/etc\/yum.repos.d\/epel.repo:6, or run redhat-upgrade-tool with --disablerepo=epel as the blog did\./,
    )
    assert.match(
      epelFix ?? '',
      /wget -O \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-EPEL-7 https:\/\/dl.fedoraproject.org\/pub\/epel\/RPM-GPG-KEY-EPEL-7; change 6 to 7 in \/etc\/yum.repos.d\/epel.repo lines 2, 4, 8 \(the blog's `sed -i 's\/6\/7\/g' \/etc\/yum.repos.d\/epel.repo`/,
    )
    assert.match(
      epelFix ?? '',
      /EPEL 7 is archived, so use baseurl=https:\/\/archives.fedoraproject.org\/pub\/archive\/epel\/7\/\$basearch\//,
    )
    assert.match(
      keyFix ?? '',
      /^CentOS Linux 7 key: download https:\/\/www.centos.org\/keys\/RPM-GPG-KEY-CentOS-7 to \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-CentOS-7, check its fingerprint and run `rpm --import \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-CentOS-7` before the upgrade/,
    )
    assert.match(
      keyFix ?? '',
      /\(\/etc\/yum.repos.d\/CentOS-Base.repo:18, \/etc\/yum.repos.d\/CentOS-Base.repo:26, \/etc\/yum.repos.d\/CentOS-Base.repo:34\)/,
    )
    assert.ok(
      result.messages.some((m) =>
        m.startsWith('epel-testing, epel-debuginfo, epel-source (EPEL 6): disabled, so out of the upgrade.'),
      ),
    )
  })

  test('a prepared CentOS 6.10 passes: the CentOS 7 key is listed and present, EPEL is disabled', async () => {
    const result = await run(path.join(roots, 'centos610-clean'))
    assert.equal(result.status, 'pass')
    assert.deepEqual(result.messages.slice(0, 3), [
      'base (/etc/yum.repos.d/CentOS-Base.repo:15): CentOS Linux is ready for 7.',
      'updates (/etc/yum.repos.d/CentOS-Base.repo:24): CentOS Linux is ready for 7.',
      'extras (/etc/yum.repos.d/CentOS-Base.repo:33): CentOS Linux is ready for 7.',
    ])
    assert.match(
      result.messages[3] ?? '',
      /^epel \(EPEL 6\): disabled, so out of the upgrade\. On 7, before enabling it: \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-EPEL-7 is already there; change 6 to 7 in \/etc\/yum.repos.d\/epel.repo lines 2, 4, 9/,
    )
  })

  test('Debian: not applicable', async () => {
    assert.equal((await run(path.join(roots, 'debian12-clean'))).status, 'notapplicable')
  })
})

describe('repositories.third-party-gpg-key decisions', () => {
  test('gpgcheck off is slight; a listed $releasever key that is missing is medium; a present but unlisted key is medium', async () => {
    await withTempRoot(
      {
        'etc/centos-release': 'CentOS release 6.10 (Final)\n',
        'etc/yum.conf': '[main]\ngpgcheck=0\n',
        'etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7': 'placeholder\n',
        'etc/yum.repos.d/CentOS-Base.repo':
          '[base]\nmirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6\n',
        'etc/yum.repos.d/epel.repo':
          '[epel]\nmirrorlist=https://mirrors.fedoraproject.org/metalink?repo=epel-$releasever&arch=$basearch\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-$releasever\n',
        'etc/yum.repos.d/local.repo': '[local]\nbaseurl=file:///srv/repo/\n',
      },
      async (root) => {
        const result = await run(root)
        assert.equal(result.status, 'needs_inspection')
        assert.deepEqual(
          result.risks.map(
            (r) => `${r.level} ${r.file}:${r.line} ${r.message.split(': ').slice(1).join(': ')}`,
          ),
          [
            'medium /etc/yum.repos.d/CentOS-Base.repo:4 gpgkey (line 4) lists only RPM-GPG-KEY-CentOS-6, not RPM-GPG-KEY-CentOS-7: the upgrade cannot verify CentOS Linux 7 packages unless that key is already imported.',
            'medium /etc/yum.repos.d/epel.repo:4 gpgkey (line 4) lists /etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-7, which is missing.',
            'slight /etc/yum.repos.d/local.repo:1 signatures are not checked (the [main] default gpgcheck=0 in /etc/yum.conf), so its packages are installed unverified, during the upgrade too.',
          ],
        )
        assert.match(
          result.solution ?? '',
          /^local: add gpgcheck=1 under \[local\] \(\/etc\/yum.repos.d\/local.repo:1\) and list its key in gpgkey\.$/m,
        )
        assert.match(
          result.solution ?? '',
          /^epel: download https:\/\/dl.fedoraproject.org\/pub\/epel\/RPM-GPG-KEY-EPEL-7 to \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-EPEL-7\.$/m,
        )
        assert.match(
          result.solution ?? '',
          /CentOS Linux 7 key: \/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-CentOS-7 is there; check its fingerprint/,
        )
      },
    )
  })

  test('EL 7 → 8 with ELRepo pinned to el7: switch it with the vendor release package', async () => {
    await withTempRoot(
      {
        'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
        'etc/yum.repos.d/elrepo.repo':
          '[elrepo]\nname=ELRepo.org Community Enterprise Linux Repository - el7\nbaseurl=http://elrepo.org/linux/elrepo/el7/$basearch/\nmirrorlist=http://mirrors.elrepo.org/mirrors-elrepo.el7\nenabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-elrepo.org\n',
      },
      async (root) => {
        const result = await run(root, { target: '8' })
        assert.equal(result.status, 'needs_action')
        assert.match(
          result.risks[0]?.message ?? '',
          /^elrepo \(\/etc\/yum.repos.d\/elrepo.repo:1\): this is ELRepo 7 — its baseurl \(line 3\), mirrorlist \(line 4\) names 7\./,
        )
        assert.match(
          result.solution ?? '',
          /^elrepo: keep it out of the upgrade — set enabled=0 at \/etc\/yum.repos.d\/elrepo.repo:5\. On 8, switch it to ELRepo 8: change 7 to 8 in \/etc\/yum.repos.d\/elrepo.repo lines 2, 3, 4 .*; install the elrepo-release package for EL8 from https:\/\/elrepo.org\.$/,
        )
      },
    )
  })
})
