import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openHost } from '../../../host/host.ts'
import { formatEvr } from '../package-source.ts'
import { dpkgPackageSource } from './dpkg-package-source.ts'
import { type DpkgConffile, isInstalledState, parseDebianVersion, parseDpkgStatus } from './dpkg-status.ts'

const fixtureAdmindir = fileURLToPath(
  new URL('../../../../test/fixtures/roots/debian12-dpkg/var/lib/dpkg', import.meta.url),
)

/** dpkg-query -W of these fields over an admin directory, one record per package (ended by ASCII RS). */
function dpkgQuery(fields: string[], admindir?: string): string[][] {
  const format = fields.map((field) => `\${${field}}`).join('\t')
  const args = [...(admindir ? [`--admindir=${admindir}`] : []), '-W', '-f', `${format}\x1e`]
  const out = execFileSync('dpkg-query', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return out
    .split('\x1e')
    .slice(0, -1)
    .map((record) => record.split('\t'))
}

/** `${binary:Package}` adds ':arch' to Multi-Arch: same packages; our names are the Package field. */
function withoutArchQualifier(binaryPackage: string, arch: string): string {
  return binaryPackage.endsWith(`:${arch}`) ? binaryPackage.slice(0, -arch.length - 1) : binaryPackage
}

/** Conffiles as dpkg-query's ${Conffiles} prints them: ' <path> <md5>[ obsolete][ remove-on-upgrade]' lines. */
function formatConffiles(conffiles: DpkgConffile[]): string {
  return conffiles
    .map(
      (c) =>
        ` ${c.path} ${c.md5}${c.obsolete ? ' obsolete' : ''}${c.removeOnUpgrade ? ' remove-on-upgrade' : ''}`,
    )
    .join('\n')
}

test('Debian versions split into epoch, upstream and revision as dpkg reads them', () => {
  assert.deepEqual(parseDebianVersion('1:9.18.28-1~deb12u2'), {
    epoch: 1,
    upstream: '9.18.28',
    revision: '1~deb12u2',
  })
  assert.deepEqual(parseDebianVersion('0:3.0'), { upstream: '3.0' })
  assert.deepEqual(parseDebianVersion('12.4+deb12u7'), { upstream: '12.4+deb12u7' })
  assert.deepEqual(parseDebianVersion('2.0-beta-3'), { upstream: '2.0-beta', revision: '3' })
  assert.equal(parseDebianVersion('x:1.0'), "epoch 'x' is not a number")
  assert.equal(parseDebianVersion('1.0-'), 'revision is empty')
  assert.equal(parseDebianVersion('1:'), 'upstream version is empty')
  assert.equal(parseDebianVersion('1.0 beta'), "invalid character in upstream version '1.0 beta'")
})

test('malformed stanzas are warnings naming file and line, and the rest is kept', () => {
  const { packages, warnings } = parseDpkgStatus(
    [
      'Status: install ok installed\nVersion: 1\n',
      'Package: nostatus\nVersion: 1\n',
      'Package: badstatus\nStatus: install ok\nVersion: 1\n',
      'Package: badversion\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-\n',
      'Package: badconffile\nStatus: install ok installed\nArchitecture: all\nVersion: 2\nConffiles:\n /etc/ok abc\n relative abc\n',
      'Package: good\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3\n',
    ].join('\n'),
  )
  assert.deepEqual(warnings, [
    { file: '/var/lib/dpkg/status', line: 1, message: 'stanza without a Package field' },
    {
      file: '/var/lib/dpkg/status',
      line: 4,
      message: "package nostatus: expected 'Status: <want> <flag> <state>'",
    },
    {
      file: '/var/lib/dpkg/status',
      line: 8,
      message: "package badstatus: expected 'Status: <want> <flag> <state>'",
    },
    { file: '/var/lib/dpkg/status', line: 14, message: 'package badversion: revision is empty' },
    {
      file: '/var/lib/dpkg/status',
      line: 22,
      message: "package badconffile: malformed conffile line 'relative abc'",
    },
  ])
  assert.deepEqual(
    packages.map((pkg) => [pkg.name, pkg.version, pkg.parsedVersion?.upstream, pkg.conffiles.length]),
    [
      ['badversion', '1.0-', undefined, 0],
      ['badconffile', '2', '2', 1],
      ['good', '3', '3', 0],
    ],
  )
})

test('every stanza of the fixture status equals dpkg-query --admindir: state, name, version, arch, conffiles', async () => {
  const { packages, warnings } = parseDpkgStatus(await readFile(path.join(fixtureAdmindir, 'status'), 'utf8'))
  assert.deepEqual(warnings, [])
  const ours = packages
    .filter((pkg) => pkg.state !== 'not-installed')
    .map((pkg) => [pkg.state, pkg.name, pkg.version, pkg.arch, formatConffiles(pkg.conffiles)])
  const theirs = dpkgQuery(
    ['db:Status-Status', 'binary:Package', 'Version', 'Architecture', 'Conffiles'],
    fixtureAdmindir,
  ).map(([state = '', name = '', version = '', arch = '', conffiles = '']) => [
    state,
    withoutArchQualifier(name, arch),
    version,
    arch,
    conffiles.replace(/\n$/, ''),
  ])
  assert.deepEqual(ours, theirs)
  // The fixture is meant to hold every state dpkg-query lists, obsolete conffiles and an epoch.
  assert.equal(new Set(ours.map(([state]) => state)).size, 7)
  assert.ok(packages.some((pkg) => pkg.conffiles.some((conffile) => conffile.obsolete)))
})

test('the live system: installed packages equal dpkg-query -W, versions through formatEvr', async () => {
  const database = await dpkgPackageSource.read(
    { host: openHost(), progress: () => {} },
    (await dpkgPackageSource.locate(openHost())) ?? '',
  )
  assert.deepEqual(database.warnings, [])
  const ours = database.packages.map((pkg) => `${pkg.name}\t${formatEvr(pkg)}\t${pkg.arch}`).sort()
  const theirs = dpkgQuery(['db:Status-Status', 'binary:Package', 'Version', 'Architecture'])
    .filter(([state = '']) => isInstalledState(state as never))
    .map(([, name = '', version, arch = '']) => `${withoutArchQualifier(name, arch)}\t${version}\t${arch}`)
    .sort()
  assert.ok(theirs.length > 100, 'this machine has a real package set')
  assert.deepEqual(ours, theirs)
})

test('the live system: conffiles of every package equal what dpkg-query prints for them', async () => {
  const { packages } = parseDpkgStatus((await openHost().readText('/var/lib/dpkg/status')) ?? '')
  const ours = new Map(
    packages.filter((pkg) => pkg.state !== 'not-installed').map((pkg) => [`${pkg.name}:${pkg.arch}`, pkg]),
  )
  const records = dpkgQuery(['Package', 'Architecture', 'Conffiles'])
  for (const [name, arch, conffiles = ''] of records) {
    const key = `${name}:${arch}`
    assert.equal(formatConffiles(ours.get(key)?.conffiles ?? []), conffiles.replace(/\n$/, ''), key)
  }
  assert.ok(records.filter(([, , conffiles]) => conffiles).length > 10, 'some packages here have conffiles')
})
