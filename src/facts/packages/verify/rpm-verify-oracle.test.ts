import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import { locateRpmdb, readRpmdb } from '../rpm/rpmdb.ts'
import { rpmVerify } from './rpm-verify.ts'
import { accountIds } from './verify-packages.ts'

// The real rpm of this machine as the oracle for the rules the elroot fixtures do not reach:
// device numbers, set-id bits of an unknown owner, a present %ghost, %verify(not mode), a
// directory become a symlink, files shared by two packages, replaced and excluded files.
// Packages are built here with rpmbuild and installed into a scratch root; nothing else is touched.

const haveRpm = existsSync('/usr/bin/rpm') && existsSync('/usr/bin/rpmbuild')
// Debian's rpm keeps its own database in ~/.rpmdb; an EL root has it in /var/lib/rpm.
const dbpath = ['--dbpath', '/var/lib/rpm']

const spec = (name: string, body: { install: string; files: string }) => `
Name: ${name}
Version: 1
Release: 1
Summary: preflight verify oracle package
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
Files for the preflight verify oracle test.
%install
${body.install}
%files
${body.files}
`

const packages = {
  'pfv-main': {
    install: `
mkdir -p %{buildroot}/usr/share/pfv/dirlink %{buildroot}/etc/pfv %{buildroot}/var/log/pfv %{buildroot}/usr/share/doc/pfv-main
printf '#!/bin/sh\\n' > %{buildroot}/usr/share/pfv/suid-tool
printf '#!/bin/sh\\n' > %{buildroot}/usr/share/pfv/suid-unknown
printf 'x\\n' > %{buildroot}/usr/share/pfv/unknown-owner
printf 'x\\n' > %{buildroot}/usr/share/pfv/no-mode
printf 'shared\\n' > %{buildroot}/usr/share/pfv/shared.txt
printf 'old\\n' > %{buildroot}/usr/share/pfv/replaced.txt
printf 'a = 1\\n' > %{buildroot}/etc/pfv/a.conf
printf 'readme\\n' > %{buildroot}/usr/share/doc/pfv-main/README
touch %{buildroot}/var/log/pfv/ghost.log`,
    files: `
%attr(4755,root,root) /usr/share/pfv/suid-tool
%attr(4755,nosuchuser,root) /usr/share/pfv/suid-unknown
%attr(0644,nosuchuser,nosuchgroup) /usr/share/pfv/unknown-owner
%verify(not mode) /usr/share/pfv/no-mode
/usr/share/pfv/shared.txt
/usr/share/pfv/replaced.txt
%dir /usr/share/pfv/dirlink
%config(noreplace) /etc/pfv/a.conf
%doc /usr/share/doc/pfv-main/README
%ghost %attr(0644,root,root) /var/log/pfv/ghost.log
%dev(c,1,3) %attr(0600,root,root) /usr/share/pfv/device`,
  },
  'pfv-shared': {
    install: `
mkdir -p %{buildroot}/usr/share/pfv
printf 'shared\\n' > %{buildroot}/usr/share/pfv/shared.txt`,
    files: '/usr/share/pfv/shared.txt',
  },
  'pfv-replacer': {
    install: `
mkdir -p %{buildroot}/usr/share/pfv
printf 'new!\\n' > %{buildroot}/usr/share/pfv/replaced.txt`,
    files: '/usr/share/pfv/replaced.txt',
  },
}

/** rpm -Va's file lines, without dependency problems or warnings. */
function rpmLines(root: string): string[] {
  let out = ''
  try {
    out = execFileSync('rpm', ['--root', root, ...dbpath, '-Va', '--nodeps', '--noscripts'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch (error) {
    out = (error as { stdout?: string }).stdout ?? '' // rpm -V exits 1 when something differs
  }
  return out.split('\n').filter((line) => line !== '' && !/^(Unsatisfied|\t|warning:)/.test(line))
}

async function ourLines(root: string): Promise<string[]> {
  const host = openHost({ root })
  const dbFile = await locateRpmdb(host)
  assert.ok(dbFile)
  const result = await rpmVerify(host, await readRpmdb(host, dbFile), accountIds({ users: [], groups: [] }))
  return result.verdicts.map((verdict) => verdict.line)
}

describe('rpm -Va as the oracle on packages built here', {
  skip: !haveRpm && 'needs rpm and rpmbuild',
}, () => {
  let scratch: string
  let root: string

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'preflight-rpm-oracle-'))
    root = path.join(scratch, 'root')
    const top = path.join(scratch, 'build')
    for (const [name, body] of Object.entries(packages)) {
      const file = path.join(scratch, `${name}.spec`)
      await writeFile(file, spec(name, body))
      execFileSync(
        'rpmbuild',
        ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '-bb', file],
        {
          stdio: 'ignore',
        },
      )
    }
    const rpms = path.join(top, 'RPMS/noarch')
    const built = (await readdir(rpms)).map((name) => path.join(rpms, name))
    const rpm = (...args: string[]) =>
      execFileSync('rpm', ['--root', root, ...dbpath, ...args], { stdio: 'ignore' })
    await mkdir(root)
    rpm('--initdb')
    // Docs excluded: rpm records them as never installed.
    rpm('-i', '--nodeps', '--excludedocs', ...built.filter((file) => !file.includes('replacer')))
    rpm('-i', '--nodeps', '--replacefiles', ...built.filter((file) => file.includes('replacer')))
  })
  after(() => rm(scratch, { recursive: true, force: true }))

  test('as installed: the same lines as rpm (the replaced file is noted)', async () => {
    const expected = rpmLines(root)
    assert.ok(
      expected.some((line) => line.endsWith('(replaced)')),
      expected.join('\n'),
    )
    assert.deepEqual(await ourLines(root), expected)
  })

  test('after changes: the same lines as rpm', async () => {
    const at = (p: string) => path.join(root, p)
    await chmod(at('/usr/share/pfv/suid-tool'), 0o755)
    await chmod(at('/usr/share/pfv/suid-unknown'), 0o4755)
    await chown(at('/usr/share/pfv/unknown-owner'), 65534, 65534)
    await chmod(at('/usr/share/pfv/no-mode'), 0o600)
    await utimes(at('/usr/share/pfv/shared.txt'), 1_000_000_000, 1_000_000_000)
    await mkdir(at('/var/log/pfv'), { recursive: true })
    await writeFile(at('/var/log/pfv/ghost.log'), 'written by the service\n')
    await chmod(at('/var/log/pfv/ghost.log'), 0o600)
    await unlink(at('/usr/share/pfv/device'))
    execFileSync('mknod', ['-m', '0600', at('/usr/share/pfv/device'), 'c', '1', '5'])
    await rm(at('/usr/share/pfv/dirlink'), { recursive: true })
    await mkdir(at('/usr/share/pfv/dirlink.real'))
    await symlink('dirlink.real', at('/usr/share/pfv/dirlink'))
    await writeFile(at('/etc/pfv/a.conf'), 'a = 2\n')
    const expected = rpmLines(root)
    assert.ok(expected.length >= 5, expected.join('\n'))
    assert.deepEqual(await ourLines(root), expected)
  })
})
