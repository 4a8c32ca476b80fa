/**
 * `preflight assess` end to end: the real CLI on a small offline root built here, its output
 * directory, its archive, --riskcheck on reports written here, and the refusals (bad root, output
 * inside the root, unknown selectors, unknown options).
 */
import assert from 'node:assert/strict'
import { access, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { list } from 'tar'
import { allChecks } from '../../src/checks/index.ts'
import type { Assessment } from '../../src/engine/assessment.ts'
import { json } from '../../src/reports/json.ts'
import { parseReport } from '../../src/reports/report-schema.ts'
import { resultWith, sampleAssessment } from '../helpers/sample-assessment.ts'
import { runCli, snapshotTree } from './run-cli.ts'

/** A CentOS 6.5 root as an unpacked image would have it, with one malformed passwd line. */
async function buildRoot(root: string): Promise<void> {
  for (const dir of ['etc/sysconfig', 'usr/bin', 'var/lib', 'lib', 'root', 'home/ann']) {
    await mkdir(path.join(root, dir), { recursive: true })
  }
  await writeFile(path.join(root, 'etc/redhat-release'), 'CentOS release 6.5 (Final)\n')
  await symlink('redhat-release', path.join(root, 'etc/centos-release'))
  await writeFile(path.join(root, 'etc/hostname'), 'pingu\n')
  await writeFile(path.join(root, 'etc/sysconfig/network'), 'NETWORKING=yes\nHOSTNAME=pingu\n')
  await writeFile(
    path.join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/bash\nann:x:500:500:Ann:/home/ann:/bin/bash\nbroken line\n',
  )
  await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nann:x:500:\n')
  await symlink('/usr/bin', path.join(root, 'bin'))
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

describe('preflight assess (CLI)', () => {
  let work: string
  let root: string
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'preflight-cli-'))
    root = path.join(work, 'root')
    await buildRoot(root)
  })
  after(() => rm(work, { recursive: true, force: true }))

  test('assesses an offline root: progress, table, latest/, archive, exit code, and the root untouched', async () => {
    const out = path.join(work, 'out')
    const before = await snapshotTree(root)
    const run = await runCli(['assess', '--root', root, '-o', out])
    assert.deepEqual(await snapshotTree(root), before, 'assess must not write inside the assessed root')

    const report = parseReport(await readFile(path.join(out, 'latest', 'report.json'), 'utf8'))
    assert.equal(run.code, report.summary.exitCode, run.stderr)
    assert.equal(report.host.root, root)
    assert.equal(report.host.live, false)
    assert.equal(report.host.os.name, 'CentOS release 6.5 (Final)')
    assert.deepEqual(report.target, { distro: 'centos', major: 7, version: '7' })

    assert.match(run.stderr, /^Gathering facts:\n/)
    assert.match(run.stderr, /^Operating system *: \d\d\/\d\d \.\.\.finished \(time 00:0\ds\)$/m)
    assert.match(run.stderr, /^Assessment finished \(time \d\d:\d\ds\)$/m)
    assert.match(run.stdout, new RegExp(`^Exit code ${report.summary.exitCode}: `, 'm'))
    assert.match(run.stdout, new RegExp(`^${report.results.length} checks?[:;]`, 'm'))

    const archive = path.join(out, 'results', `preflight-results-${report.runId}.tar.gz`)
    assert.ok(run.stdout.includes(`Archive with the results: ${archive}`))
    assert.ok(run.stdout.includes(`The latest assessment is in ${path.join(out, 'latest')}`))
    const entries: string[] = []
    await list({ file: archive, onReadEntry: (entry) => entries.push(entry.path) })
    const top = `preflight-results-${report.runId}/`
    assert.deepEqual(entries.sort(), [top, `${top}facts.json`, `${top}report.html`, `${top}report.json`])
    assert.deepEqual((await readdir(out)).sort(), ['latest', 'results'])

    const facts = JSON.parse(await readFile(path.join(out, 'latest', 'facts.json'), 'utf8'))
    assert.equal(facts.facts.osIdentity.distro, 'centos')
  })

  test('--json prints the report on stdout, and -q keeps stderr quiet', async () => {
    const out = path.join(work, 'out-json')
    const run = await runCli(['assess', '--root', root, '-o', out, '--json', '-q'])
    const report = parseReport(run.stdout)
    assert.equal(run.code, report.summary.exitCode)
    assert.equal(run.stderr, '')
    assert.deepEqual(
      report,
      parseReport(await readFile(path.join(out, 'latest', 'report.json'), 'utf8')),
      'stdout and latest/report.json are the same report',
    )
  })

  test('refuses an output directory inside the assessed root (exit 22) and writes nothing', async () => {
    const before = await snapshotTree(root)
    const runs = await Promise.all(
      [path.join(root, 'var/lib/preflight'), root].map((output) =>
        runCli(['assess', '--root', root, '-o', output]),
      ),
    )
    for (const run of runs) {
      assert.equal(run.code, 22)
      assert.match(run.stderr, /is inside the assessed root .*choose another -o/)
      assert.equal(run.stdout, '')
    }
    assert.deepEqual(await snapshotTree(root), before)
  })

  test('a --root that is not a Linux root is exit 22 with the reason', async () => {
    const empty = path.join(work, 'empty')
    await mkdir(empty)
    const cases: [string, RegExp][] = [
      [path.join(work, 'missing'), /missing does not look like a Linux root: no such directory/],
      [empty, /empty does not look like a Linux root: it has no \/etc directory/],
    ]
    const runs = await Promise.all(
      cases.map(([dir]) => runCli(['assess', '--root', dir, '-o', path.join(work, 'never')])),
    )
    for (const [index, [, message]] of cases.entries()) {
      assert.equal(runs[index]?.code, 22)
      assert.match(runs[index]?.stderr ?? '', message)
    }
    assert.equal(await exists(path.join(work, 'never')), false)
  })

  test('bad options are exit 22, never 1 (which means high risk)', async () => {
    const out = path.join(work, 'never-2')
    const [unknownCheck, unknownTarget, unknownOption, conflict] = await Promise.all([
      runCli(['assess', '--root', root, '-o', out, '--select', 'no-such-check']),
      runCli(['assess', '--root', root, '-o', out, '--target', 'bogus', '-q']),
      runCli(['assess', '--no-such-option']),
      runCli(['assess', '--riskcheck', '--list']),
    ])
    assert.equal(unknownCheck.code, 22)
    assert.match(unknownCheck.stderr, /no check or group named 'no-such-check' \(see --list\)/)
    assert.equal(unknownTarget.code, 22)
    assert.match(unknownTarget.stderr, /unknown target release 'bogus' for CentOS release 6\.5 \(Final\)/)
    assert.equal(unknownOption.code, 22)
    assert.match(unknownOption.stderr, /unknown option '--no-such-option'/)
    assert.equal(conflict.code, 22)
    assert.match(
      conflict.stderr,
      /option '--(list|riskcheck)' cannot be used with option '--(list|riskcheck)'/,
    )
    assert.equal(await exists(out), false)
  })

  test('results that cannot be written are exit 29, and the table is still printed', async () => {
    const notADirectory = path.join(work, 'a-file')
    await writeFile(notADirectory, 'not a directory\n')
    const run = await runCli(['assess', '--root', root, '-o', notADirectory, '-q'])
    assert.equal(run.code, 29)
    assert.match(run.stderr, /could not write the results to .*a-file/)
    assert.match(run.stdout, /^Exit code \d: /m)
    assert.doesNotMatch(run.stdout, /Archive with the results/)
  })

  test('--list shows every check without gathering or writing anything', async () => {
    const out = path.join(work, 'never-3')
    const [text, asJson] = await Promise.all([
      runCli(['assess', '--list', '-o', out]),
      runCli(['assess', '--list', '--json']),
    ])
    assert.equal(text.code, 0)
    assert.equal(text.stderr, '')
    if (allChecks.length === 0) assert.equal(text.stdout, 'No checks are registered.\n')
    else assert.match(text.stdout, /^ID +GROUP +TITLE\n/)
    for (const check of allChecks) {
      assert.match(text.stdout, new RegExp(`^${check.id.replaceAll('.', '\\.')} +${check.group} +`, 'm'))
    }
    assert.deepEqual(
      JSON.parse(asJson.stdout),
      allChecks.map(({ id, group, title }) => ({ id, group, title })),
    )
    assert.equal(await exists(out), false)
  })
})

describe('preflight assess --riskcheck', () => {
  let work: string
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'preflight-riskcheck-'))
  })
  after(() => rm(work, { recursive: true, force: true }))

  async function outputWith(name: string, report: Assessment | string): Promise<string> {
    const out = path.join(work, name)
    await mkdir(path.join(out, 'latest'), { recursive: true })
    await writeFile(
      path.join(out, 'latest', 'report.json'),
      typeof report === 'string' ? report : json.render(report),
    )
    return out
  }

  test('exits 0, 1 or 2 from the last report, as preupg --riskcheck', async () => {
    const cases: [string, Assessment, number][] = [
      ['medium', sampleAssessment([resultWith('needs_inspection'), resultWith('pass')]), 0],
      ['high', sampleAssessment([resultWith('needs_action'), resultWith('needs_inspection')]), 1],
      ['extreme', sampleAssessment([resultWith('fail'), resultWith('needs_action')]), 2],
      ['error', sampleAssessment([resultWith('error'), resultWith('pass')]), 2],
    ]
    const runs = await Promise.all(
      cases.map(async ([name, report]) =>
        runCli(['assess', '--riskcheck', '-o', await outputWith(name, report)]),
      ),
    )
    for (const [index, [name, , code]] of cases.entries()) {
      assert.equal(runs[index]?.code, code, name)
      assert.equal(runs[index]?.stdout, '', 'silent without -v')
    }
  })

  test('-v prints high and extreme risks, -vv all of them', async () => {
    const out = await outputWith('verbose', sampleAssessment())
    const [v, vv] = await Promise.all([
      runCli(['assess', '--riskcheck', '-o', out, '-v']),
      runCli(['assess', '--riskcheck', '-o', out, '-vv']),
    ])
    assert.equal(v.code, 2)
    assert.deepEqual(v.stdout.trimEnd().split('\n'), [
      'EXTREME: Checking the system version and variant [system.system-version]: CentOS 6.5 is not the latest 6.x release (6.10)',
      'HIGH: OpenSSH sshd_config migration content [network.ssh-use-dns]: UseDNS yes makes logins slow when DNS is down (/etc/ssh/sshd_config:12)',
      'Exit code 2: extreme risk or a failed check: do not upgrade in place until these are resolved. (run 140708210602, pingu)',
    ])
    assert.match(vv.stdout, /^MEDIUM: OpenSSH sshd_config migration content .*Protocol 1/m)
    assert.match(vv.stdout, /^SLIGHT: Removed rpms .*2 installed packages/m)
  })

  test('no previous run is 24; a report it cannot trust is 31, with the reason', async () => {
    const newer = JSON.parse(json.render(sampleAssessment()))
    newer.schemaVersion = 2
    const [none, newerRun, corrupt] = await Promise.all([
      runCli(['assess', '--riskcheck', '-o', path.join(work, 'nothing-here')]),
      outputWith('newer', JSON.stringify(newer)).then((out) => runCli(['assess', '--riskcheck', '-o', out])),
      outputWith('corrupt', '{"schemaVersion": 1, "results": [').then((out) =>
        runCli(['assess', '--riskcheck', '-o', out]),
      ),
    ])
    assert.equal(none.code, 24)
    assert.match(
      none.stderr,
      /no previous assessment in .*nothing-here\/latest: run 'preflight assess' first/,
    )
    assert.equal(newerRun.code, 31)
    assert.match(
      newerRun.stderr,
      /written with report schema 2, but this preflight reads schema 1: upgrade preflight/,
    )
    assert.equal(corrupt.code, 31)
    assert.match(corrupt.stderr, /report\.json: not JSON/)
  })

  test('reads back what assess wrote', async () => {
    const root = path.join(work, 'root')
    await buildRoot(root)
    const out = path.join(work, 'roundtrip')
    const assessRun = await runCli(['assess', '--root', root, '-o', out, '-q'])
    const check = await runCli(['assess', '--riskcheck', '-o', out])
    assert.equal(check.code, assessRun.code)
  })
})
