import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { withTempRoot } from '../../test/helpers/temp-root.ts'
import { openHost } from '../host/host.ts'
import type { GatherContext } from './define-fact.ts'
import { osIdentity } from './os-identity.ts'
import { expandYumVariables, yumReleasever, yumRepos } from './yum-repos.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

async function collect(root: string) {
  const context: GatherContext = { host: openHost({ root }), progress: () => {} }
  return yumRepos.collect(context, { osIdentity: await osIdentity.collect(context, {}) })
}

test('the blog host: every repo of every file, enabled flags, keys and unexpandable $basearch', async () => {
  const facts = await collect(path.join(roots, 'centos65-blog'))
  assert.equal(facts.manager, 'yum')
  assert.equal(facts.mainConfig, '/etc/yum.conf')
  assert.equal(facts.gpgcheckDefault, true)
  assert.deepEqual(facts.variables, { releasever: { value: '6', source: '/etc/redhat-release' } })
  assert.deepEqual(
    facts.repos.filter((r) => r.enabled).map((r) => `${r.file}:${r.line} ${r.id}`),
    [
      '/etc/yum.repos.d/CentOS-Base.repo:13 base',
      '/etc/yum.repos.d/CentOS-Base.repo:21 updates',
      '/etc/yum.repos.d/CentOS-Base.repo:29 extras',
      '/etc/yum.repos.d/CentOS-SCL.repo:7 scl',
      '/etc/yum.repos.d/epel.repo:1 epel',
    ],
  )
  assert.equal(facts.repos.length, 16)
  const scl = facts.repos.find((r) => r.id === 'scl')
  assert.deepEqual(scl?.baseurls, [
    {
      raw: 'http://mirror.centos.org/centos/$releasever/SCL/$basearch/',
      expanded: 'http://mirror.centos.org/centos/6/SCL/$basearch/',
      unresolved: ['basearch'],
      line: 9,
    },
  ])
  assert.equal(scl?.name, 'CentOS-6 - SCL')
  const epel = facts.repos.find((r) => r.id === 'epel')
  assert.equal(epel?.mirrorlist?.raw, 'https://mirrors.fedoraproject.org/metalink?repo=epel-6&arch=$basearch')
  assert.deepEqual(epel?.gpgkeys, [
    {
      raw: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-6',
      expanded: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-6',
      unresolved: [],
      line: 8,
      path: '/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-6',
      exists: true,
    },
  ])
  assert.deepEqual(epel?.options.enabled, { value: '1', line: 6 })
  const media = facts.repos.find((r) => r.id === 'c6-media')
  assert.deepEqual(
    media?.baseurls.map((u) => `${u.line} ${u.raw}`),
    ['16 file:///media/CentOS/', '17 file:///media/cdrom/', '18 file:///media/cdrecorder/'],
  )
  assert.equal(media?.enabled, false)
  assert.ok(facts.gpgKeyFiles.includes('/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-6'))
  assert.deepEqual(facts.warnings, [])
})

test('vars files define $infra; a gpgkey list continued on the next line gives two keys', async () => {
  const facts = await collect(path.join(roots, 'centos610-clean'))
  assert.deepEqual(facts.variables.infra, { value: 'stock', source: '/etc/yum/vars/infra' })
  const base = facts.repos.find((r) => r.id === 'base')
  assert.match(base?.mirrorlist?.expanded ?? '', /release=6&arch=\$basearch&repo=os&infra=stock$/)
  assert.deepEqual(
    base?.gpgkeys.map((k) => [k.path, k.exists]),
    [
      ['/etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6', true],
      ['/etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7', true],
    ],
  )
})

test('RHEL $releasever carries the variant; /etc/rpm/platform gives $basearch; vars files override', async () => {
  await withTempRoot(
    {
      'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.5 (Santiago)\n',
      'etc/rpm/platform': 'i686-redhat-linux\n',
      'etc/yum.conf': '[main]\nreposdir=/srv/repos\n',
      'etc/yum/vars/contentdir': 'centos\n',
      'srv/repos/a.repo':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: yum's own ${name} syntax, not a template
        '[a]\nbaseurl=http://m/${contentdir}/$releasever/$BASEARCH/$arch/$uuid\nenabled=maybe\ngpgkey=file:///etc/pki/rpm-gpg/missing\n',
      'etc/yum.repos.d/ignored.repo': '[ignored]\nbaseurl=http://x/\n',
    },
    async (root) => {
      const facts = await collect(root)
      assert.equal(facts.gpgcheckDefault, false)
      assert.deepEqual(facts.files, ['/srv/repos/a.repo'])
      const [repo] = facts.repos
      assert.deepEqual(repo?.baseurls[0], {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: yum's own ${name} syntax, not a template
        raw: 'http://m/${contentdir}/$releasever/$BASEARCH/$arch/$uuid',
        expanded: 'http://m/centos/6Server/i386/i686/$uuid',
        unresolved: ['uuid'],
        line: 2,
      })
      assert.equal(repo?.enabled, true)
      assert.equal(repo?.gpgcheck, false)
      assert.equal(repo?.gpgkeys[0]?.exists, false)
      assert.deepEqual(facts.warnings, [
        { file: '/srv/repos/a.repo', line: 3, message: "enabled='maybe' is not a boolean (1/0, yes/no)" },
      ])
    },
  )
})

test('malformed lines and a repo defined twice are warnings naming file and line', async () => {
  await withTempRoot(
    {
      'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
      'etc/yum.repos.d/a.repo': '[dup]\nbaseurl=http://a/\nnot a key value line\n',
      'etc/yum.repos.d/b.repo': '\n[dup]\nbaseurl=http://b/\n[nourl]\nname=x\n',
    },
    async (root) => {
      const facts = await collect(root)
      assert.deepEqual(
        facts.repos.map((r) => `${r.id} ${r.baseurls[0]?.raw ?? '-'}`),
        ['dup http://a/', 'nourl -'],
      )
      assert.deepEqual(facts.warnings, [
        {
          file: '/etc/yum.repos.d/a.repo',
          line: 3,
          message: "expected 'key=value', '[section]' or a comment, found 'not a key value line'",
        },
        {
          file: '/etc/yum.repos.d/b.repo',
          line: 2,
          message: "repository 'dup' is already defined at /etc/yum.repos.d/a.repo:1; yum ignores this one",
        },
        {
          file: '/etc/yum.repos.d/b.repo',
          line: 4,
          message: "repository 'nourl' has no baseurl, mirrorlist or metalink",
        },
      ])
    },
  )
})

test('an unreadable .repo file fails the fact with its host path', async () => {
  await withTempRoot({ 'etc/centos-release': 'CentOS release 6.10 (Final)\n' }, async (root) => {
    await mkdir(path.join(root, 'etc/yum.repos.d/broken.repo'), { recursive: true })
    await assert.rejects(collect(root), /\/etc\/yum\.repos\.d\/broken\.repo: is a directory/)
  })
})

test('on this machine $basearch comes from the rpm binary and equals rpm --eval %{_arch}', async () => {
  const facts = await yumRepos.collect(
    { host: openHost(), progress: () => {} },
    { osIdentity: await osIdentity.collect({ host: openHost(), progress: () => {} }, {}) },
  )
  const rpmArch = execFileSync('rpm', ['--eval', '%{_arch}'], { encoding: 'utf8' }).trim()
  assert.equal(facts.variables.basearch?.value, rpmArch)
})

test('expansion and $releasever helpers', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: yum's own ${name} syntax, not a template
  const braced = 'a/$releasever/${Basearch}/$x'
  assert.deepEqual(expandYumVariables(braced, { releasever: { value: '7' } }), {
    expanded: braced.replace('$releasever', '7'),
    unresolved: ['basearch', 'x'],
  })
  assert.equal(yumReleasever({ distro: 'rhel', major: 7, variant: 'Server' }), '7Server')
  assert.equal(yumReleasever({ distro: 'rhel', major: 8, variant: 'Server' }), '8')
  assert.equal(yumReleasever({ distro: 'centos', major: 6 }), '6')
  assert.equal(yumReleasever({ distro: 'unknown' }), undefined)
})
