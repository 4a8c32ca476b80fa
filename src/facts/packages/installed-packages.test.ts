import assert from 'node:assert/strict'
import { copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gatherFacts } from '../../engine/gather.ts'
import { type Host, openHost } from '../../host/host.ts'
import type { GatherContext } from '../define-fact.ts'
import { type OsIdentity, osIdentity } from '../os-identity.ts'
import { dpkgPackageSource } from './dpkg/dpkg-package-source.ts'
import { installedPackages, readInstalledPackages, sourcesInOrder } from './installed-packages.ts'
import { formatEvr } from './package-source.ts'
import { rpmPackageSource } from './rpm/rpm-package-source.ts'

const debianRoot = fileURLToPath(new URL('../../../test/fixtures/roots/debian12-dpkg', import.meta.url))
const rpmdbFixtures = fileURLToPath(new URL('../../../test/fixtures/rpmdb', import.meta.url))

function contextFor(host: Host): GatherContext {
  return { host, progress: () => {} }
}

function os(family: OsIdentity['family']): OsIdentity {
  return { distro: family, family, name: family, version: '' }
}

/** A root with both databases: the Debian fixture's dpkg status and a real rpm SQLite database. */
async function rootWithBothDatabases(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-bothdb-'))
  await cp(debianRoot, root, { recursive: true })
  await mkdir(path.join(root, 'var/lib/rpm'), { recursive: true })
  await copyFile(
    path.join(rpmdbFixtures, 'elroot-sqlite/rpmdb.sqlite'),
    path.join(root, 'var/lib/rpm/rpmdb.sqlite'),
  )
  return root
}

test('the Debian root: installed packages only, with epoch, revision, vendor, unfinished states and holds', async () => {
  const host = openHost({ root: debianRoot })
  const identity = await osIdentity.collect(contextFor(host), {})
  const database = await installedPackages.collect(contextFor(host), { osIdentity: identity })
  assert.equal(database.format, 'dpkg')
  assert.equal(database.path, '/var/lib/dpkg/status')
  assert.deepEqual(database.warnings, [])
  assert.deepEqual(
    database.packages.map(
      (pkg) => `${pkg.name} ${formatEvr(pkg)} ${pkg.arch}${pkg.state ? ` ${pkg.state}` : ''}`,
    ),
    [
      'base-files 12.4+deb12u7 amd64',
      'bash 5.2.15-2+b8 amd64',
      'bind9 1:9.18.28-1~deb12u2 amd64',
      'less 590-2.1~deb12u2 amd64 triggers-awaited',
      'libc6 2.36-9+deb12u9 amd64',
      'libc6 2.36-9+deb12u9 i386',
      'man-db 2.11.2-2 amd64 triggers-pending',
      'openssh-server 1:9.2p1-2+deb12u3 amd64 half-configured',
      'sudo 1.9.13p3-1+deb12u1 amd64 half-installed',
      'tzdata 2024a-0+deb12u1 all unpacked',
      'zlib1g 1:1.2.13.dfsg-1 amd64',
    ],
  )
  const bind9 = database.packages.find((pkg) => pkg.name === 'bind9')
  assert.deepEqual(bind9, {
    name: 'bind9',
    epoch: 1,
    version: '9.18.28',
    release: '1~deb12u2',
    arch: 'amd64',
    vendor: 'Debian DNS Team <team+dns@tracker.debian.org>',
    summary: 'Internet Domain Name Server',
    held: true,
  })
  assert.equal(database.packages.find((pkg) => pkg.name === 'bash')?.source, 'bash (5.2.15-2)')
})

test('the OS family decides which database is read first', () => {
  const sources = [dpkgPackageSource, rpmPackageSource]
  assert.deepEqual(
    sourcesInOrder('rhel', sources).map((s) => s.format),
    ['rpm', 'dpkg'],
  )
  assert.deepEqual(
    sourcesInOrder('suse', sources).map((s) => s.format),
    ['rpm', 'dpkg'],
  )
  assert.deepEqual(
    sourcesInOrder('debian', [rpmPackageSource, dpkgPackageSource]).map((s) => s.format),
    ['dpkg', 'rpm'],
  )
  assert.deepEqual(
    sourcesInOrder('unknown', sources).map((s) => s.format),
    ['dpkg', 'rpm'],
  )
})

test('an EL host without an rpm database falls back to dpkg; with one, rpm wins', async () => {
  const dpkgOnly = contextFor(openHost({ root: debianRoot }))
  assert.equal((await readInstalledPackages(dpkgOnly, os('rhel'))).format, 'dpkg')
  const both = await rootWithBothDatabases()
  try {
    const context = contextFor(openHost({ root: both }))
    const rpm = await readInstalledPackages(context, os('rhel'))
    assert.equal(rpm.format, 'rpm')
    assert.equal(rpm.path, '/var/lib/rpm/rpmdb.sqlite')
    assert.ok(rpm.packages.some((pkg) => pkg.name.startsWith('elroot-')))
    assert.equal((await readInstalledPackages(context, os('debian'))).format, 'dpkg')
  } finally {
    await rm(both, { recursive: true, force: true })
  }
})

test('no database: the fact fails with the reason, and gathering goes on', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'preflight-nodb-'))
  try {
    await assert.rejects(readInstalledPackages(contextFor(openHost({ root: empty })), os('debian')), {
      message: 'no package database found (looked for dpkg, rpm)',
    })
    const { facts } = await gatherFacts(openHost({ root: empty }), [installedPackages])
    assert.deepEqual(facts.get('installedPackages'), {
      failed: true,
      message: 'no package database found (looked for rpm, dpkg)',
    })
    assert.equal(facts.get('osIdentity')?.failed, false)
  } finally {
    await rm(empty, { recursive: true, force: true })
  }
})

test('a database that exists but cannot be read fails the fact; no fallback to another database', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-baddb-'))
  try {
    await mkdir(path.join(root, 'var/lib/dpkg/status'), { recursive: true })
    await assert.rejects(
      readInstalledPackages(contextFor(openHost({ root })), os('debian'), [
        dpkgPackageSource,
        rpmPackageSource,
      ]),
      /\/var\/lib\/dpkg\/status: is a directory/,
    )
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
