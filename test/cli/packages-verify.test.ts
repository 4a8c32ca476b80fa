import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from './run-cli.ts'

const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url))
// Two dpkg packages as installed, then changed by the administrator: server.conf edited,
// extra.conf deleted, /usr/bin/demo-tool patched.
const conffilesRoot = path.join(fixtures, 'roots/debian12-conffiles')
const expectedDpkgLines = [
  '??5?????? c /etc/demo/server.conf',
  'missing   c /etc/demo/extra.conf',
  '??5??????   /usr/bin/demo-tool',
]

describe('preflight packages', () => {
  test('tsv: a header, then name epoch version release arch sorted by name; empty fields when absent', async () => {
    const run = await runCli(['packages', '--root', conffilesRoot, '--format', 'tsv'])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(
      run.stdout,
      'name\tepoch\tversion\trelease\tarch\ndemo-server\t1\t2.4\t1\tall\ndemo-tools\t\t0.3\t2\tamd64\n',
    )
  })

  test('table and json formats', async () => {
    const table = await runCli(['packages', '--root', conffilesRoot])
    assert.equal(table.code, 0)
    assert.deepEqual(table.stdout.split('\n'), [
      'NAME         EPOCH  VERSION  RELEASE  ARCH',
      'demo-server  1      2.4      1        all',
      'demo-tools          0.3      2        amd64',
      '',
    ])
    const json = await runCli(['packages', '--root', conffilesRoot, '--format', 'json'])
    const parsed = JSON.parse(json.stdout)
    assert.equal(parsed.format, 'dpkg')
    assert.equal(parsed.database, '/var/lib/dpkg/status')
    assert.deepEqual(
      parsed.packages.map((p: { name: string }) => p.name),
      ['demo-server', 'demo-tools'],
    )
  })

  test('no package database: exit 2 and a message; not a Linux root: exit 22', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'preflight-nodb-'))
    try {
      await mkdir(path.join(empty, 'etc'))
      await mkdir(path.join(empty, 'usr'))
      const run = await runCli(['packages', '--root', empty])
      assert.equal(run.code, 2)
      assert.match(run.stderr, /no package database found/)
      const bad = await runCli(['packages', '--root', path.join(empty, 'nope')])
      assert.equal(bad.code, 22)
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})

describe('preflight verify (dpkg)', () => {
  test("prints dpkg --verify's lines and exits 1 when something changed", async () => {
    const run = await runCli(['verify', '--root', conffilesRoot])
    assert.equal(run.code, 1, run.stderr)
    assert.deepEqual(run.stdout.split('\n').filter(Boolean), expectedDpkgLines)
  })

  test('the real dpkg prints the same lines', { skip: !existsSync('/usr/bin/dpkg') && 'needs dpkg' }, () => {
    const out = execFileSync('dpkg', [`--root=${conffilesRoot}`, '--verify'], { encoding: 'utf8' })
    assert.deepEqual(out.split('\n').filter(Boolean).sort(), [...expectedDpkgLines].sort())
  })

  test('named packages only; --configfiles; an unknown package exits 1', async () => {
    const tools = await runCli(['verify', '--root', conffilesRoot, 'demo-tools'])
    assert.deepEqual(tools.stdout.split('\n').filter(Boolean), ['??5??????   /usr/bin/demo-tool'])
    const config = await runCli(['verify', '--root', conffilesRoot, '--configfiles'])
    assert.deepEqual(config.stdout.split('\n').filter(Boolean), expectedDpkgLines.slice(0, 2))
    const unknown = await runCli(['verify', '--root', conffilesRoot, 'no-such-package'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /package no-such-package is not installed/)
  })

  test('--format json carries the lines and what changed', async () => {
    const run = await runCli(['verify', '--root', conffilesRoot, '--format', 'json'])
    const report = JSON.parse(run.stdout)
    assert.equal(report.format, 'dpkg')
    assert.equal(report.filesChecked, 19)
    assert.deepEqual(
      report.files.map((f: { path: string; changed: string[]; missing: boolean; config: boolean }) => [
        f.path,
        f.changed.join(''),
        f.missing,
        f.config,
      ]),
      [
        ['/etc/demo/server.conf', '5', false, true],
        ['/etc/demo/extra.conf', '', true, true],
        ['/usr/bin/demo-tool', '5', false, false],
      ],
    )
  })

  test('an unreadable file list is a database error naming the file: exit 2', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-badlist-'))
    try {
      execFileSync('cp', ['-a', `${conffilesRoot}/.`, root])
      const list = path.join(root, 'var/lib/dpkg/info/demo-server.list')
      await rm(list)
      await mkdir(list)
      const run = await runCli(['verify', '--root', root])
      assert.equal(run.code, 2)
      assert.match(run.stderr, /\/var\/lib\/dpkg\/info\/demo-server\.list: is a directory/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('preflight verify (rpm)', () => {
  let scratch: string
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'preflight-verify-rpm-'))
  })
  after(() => rm(scratch, { recursive: true, force: true }))

  test('packages --format tsv lists what rpm -qa lists, sorted by name', async () => {
    const root = path.join(scratch, 'bdb')
    await mkdir(root)
    execFileSync('tar', ['-xzf', path.join(fixtures, 'elroot/elroot-bdb-root.tar.gz'), '-C', root])
    const run = await runCli(['packages', '--root', root, '--format', 'tsv'])
    assert.equal(run.code, 0, run.stderr)
    const [header, ...rows] = (
      await readFile(path.join(fixtures, 'rpmdb/elroot-bdb-le/expected-packages.tsv'), 'utf8')
    )
      .split('\n')
      .filter(Boolean)
    assert.equal(run.stdout, `${[header, ...rows.sort()].join('\n')}\n`)
  })

  test('on a tampered elroot: exactly the lines of rpm -Va, exit 1', async () => {
    const root = path.join(scratch, 'sqlite')
    await mkdir(root)
    execFileSync('tar', ['-xzf', path.join(fixtures, 'elroot/elroot-sqlite-root.tar.gz'), '-C', root])
    // An EL root: os-release makes rpm the preferred database.
    await writeFile(path.join(root, 'etc/os-release'), 'ID="rhel"\nVERSION_ID="9.3"\nID_LIKE="fedora"\n')
    const clean = await runCli(['verify', '--root', root])
    assert.equal(clean.code, 0, clean.stderr)
    assert.equal(clean.stdout, '')
    execFileSync('bash', [path.join(fixtures, 'elroot/tamper-elroot.sh'), root, 'true'], { stdio: 'ignore' })
    const run = await runCli(['verify', '--root', root])
    const expected = (await readFile(path.join(fixtures, 'elroot/expected/rpm-Va.sqlite.txt'), 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !/^(== |rc=)/.test(line))
    assert.equal(run.code, 1, run.stderr)
    assert.deepEqual(run.stdout.split('\n').filter(Boolean), expected)
  })
})
