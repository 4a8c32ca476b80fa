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

/** rpm -Va's file lines as the bytes rpm prints, without dependency problems or warnings. */
function rpmByteLines(root: string): Buffer[] {
  let out: Buffer
  try {
    out = execFileSync('rpm', ['--root', root, ...dbpath, '-Va', '--nodeps', '--noscripts'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch (error) {
    out = (error as { stdout?: Buffer }).stdout ?? Buffer.alloc(0) // rpm -V exits 1 when something differs
  }
  const lines: Buffer[] = []
  for (let at = 0; at < out.length; ) {
    const end = out.indexOf(0x0a, at)
    lines.push(out.subarray(at, end < 0 ? out.length : end))
    at = end < 0 ? out.length : end + 1
  }
  return lines.filter(
    (line) => line.length > 0 && !/^(Unsatisfied|\t|warning:)/.test(line.toString('latin1')),
  )
}

function rpmLines(root: string): string[] {
  return rpmByteLines(root).map((line) => line.toString('utf8'))
}

/** Our line back as the bytes rpm prints: printablePath writes a byte that is not UTF-8 as \xNN, a backslash as \\. */
function lineBytes(line: string): Buffer {
  const parts = line.split(/(\\x[0-9a-f]{2}|\\\\)/)
  return Buffer.concat(
    parts.map((part, i) =>
      i % 2 === 0
        ? Buffer.from(part, 'utf8')
        : Buffer.from([part === '\\\\' ? 0x5c : Number.parseInt(part.slice(2), 16)]),
    ),
  )
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

describe('rpm -Va as the oracle on a file name that is not UTF-8', {
  skip: !haveRpm && 'needs rpm and rpmbuild',
}, () => {
  const specFile = path.join(
    import.meta.dirname,
    '../../../../test/fixtures/rpmdb/built/specs/legacy-md5.spec',
  )
  const latin1Name = Buffer.from('/usr/share/legacy-md5/caf\xe9.txt', 'latin1')
  let scratch: string
  let root: string

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'preflight-rpm-latin1-'))
    root = path.join(scratch, 'root')
    const top = path.join(scratch, 'build')
    // As make.sh builds it: MD5 digests, and rpmbuild told a name that is not UTF-8 is only worth a warning.
    const defines = {
      _topdir: top,
      _build_id_links: 'none',
      _binary_filedigest_algorithm: '1',
      _invalid_encoding_terminates_build: '0',
    }
    const args = Object.entries(defines).flatMap(([name, value]) => ['--define', `${name} ${value}`])
    execFileSync('rpmbuild', [...args, '-bb', specFile], { stdio: 'ignore' })
    const rpms = path.join(top, 'RPMS/noarch')
    const built = (await readdir(rpms)).map((name) => path.join(rpms, name))
    await mkdir(root)
    execFileSync('rpm', ['--root', root, ...dbpath, '-i', '--nodeps', ...built], { stdio: 'ignore' })
  })
  after(() => rm(scratch, { recursive: true, force: true }))

  const realName = () => Buffer.concat([Buffer.from(root), latin1Name])
  const compare = async () => {
    const expected = rpmByteLines(root)
    const ours = (await ourLines(root)).map(lineBytes)
    assert.deepEqual(
      ours.map((line) => line.toString('latin1')),
      expected.map((line) => line.toString('latin1')),
    )
    return expected
  }

  test('as installed: verified, not reported missing', async () => {
    assert.deepEqual(await compare(), [])
  })

  test('changed: the same attributes and the same path bytes as rpm', async () => {
    await writeFile(realName(), 'caf\xe9 au lait\n', 'latin1')
    const expected = await compare()
    assert.equal(expected.length, 1)
    assert.ok(expected[0]?.subarray(-latin1Name.length).equals(latin1Name))
    assert.match((await ourLines(root))[0] ?? '', /^S\.5.{6} {4}\/usr\/share\/legacy-md5\/caf\\xe9\.txt$/)
  })

  test('removed: missing, as rpm says', async () => {
    await unlink(realName())
    const expected = await compare()
    assert.equal(expected.length, 1)
    assert.match(expected[0]?.toString('latin1') ?? '', /^missing/)
  })
})
