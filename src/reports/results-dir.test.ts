import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { list } from 'tar'
import { sampleAssessment } from '../../test/helpers/sample-assessment.ts'
import type { AssessRun } from '../engine/assess.ts'
import { parseReport } from './report-schema.ts'
import { assertSafeOutputDir, defaultOutputDir, OutputDirError, resultsDir } from './results-dir.ts'

function sampleRun(runId: string, hostname = 'pingu'): AssessRun {
  const assessment = { ...sampleAssessment(), runId }
  assessment.host = { ...assessment.host, hostname }
  return {
    assessment,
    facts: { osIdentity: assessment.host.os, users: { error: '/etc/passwd: EACCES: permission denied' } },
  }
}

async function archiveEntries(file: string): Promise<string[]> {
  const entries: string[] = []
  await list({ file, onReadEntry: (entry) => entries.push(entry.path) })
  return entries.sort()
}

describe('results directory', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'preflight-results-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('writes latest/ and one archive with a single top directory, and nothing else', async () => {
    const out = path.join(dir, 'first', 'out')
    const written = await resultsDir(out).write(sampleRun('140708210602'))
    assert.deepEqual(written, {
      archive: path.join(out, 'results', 'preflight-results-140708210602.tar.gz'),
      latest: path.join(out, 'latest'),
    })
    assert.deepEqual((await readdir(out)).sort(), ['latest', 'results'])
    assert.deepEqual((await readdir(written.latest)).sort(), ['facts.json', 'report.html', 'report.json'])
    assert.deepEqual(await archiveEntries(written.archive), [
      'preflight-results-140708210602/',
      'preflight-results-140708210602/facts.json',
      'preflight-results-140708210602/report.html',
      'preflight-results-140708210602/report.json',
    ])
    assert.equal((await stat(out)).mode & 0o777, 0o700)
    assert.equal((await stat(written.archive)).mode & 0o777, 0o600)
    assert.equal((await stat(path.join(written.latest, 'facts.json'))).mode & 0o777, 0o600)
  })

  test('facts.json keeps failed facts apart from gathered values', async () => {
    const out = path.join(dir, 'facts')
    const { latest } = await resultsDir(out).write(sampleRun('140708210602'))
    const facts = JSON.parse(await readFile(path.join(latest, 'facts.json'), 'utf8'))
    assert.equal(facts.formatVersion, 1)
    assert.equal(facts.runId, '140708210602')
    assert.equal(facts.facts.osIdentity.name, 'CentOS release 6.5 (Final)')
    assert.equal('users' in facts.facts, false)
    assert.deepEqual(facts.failed, { users: '/etc/passwd: EACCES: permission denied' })
  })

  test('a new run replaces latest/ whole and adds its archive beside the old one', async () => {
    const out = path.join(dir, 'twice')
    const results = resultsDir(out)
    assert.equal(await results.readLatest(), undefined)
    await results.write(sampleRun('140708210602', 'first'))
    await writeFile(path.join(out, 'latest', 'stray.txt'), 'left by a person')
    await results.write(sampleRun('140709080000', 'second'))
    assert.deepEqual((await readdir(path.join(out, 'latest'))).sort(), [
      'facts.json',
      'report.html',
      'report.json',
    ])
    assert.equal((await results.readLatest())?.host.hostname, 'second')
    assert.deepEqual((await readdir(path.join(out, 'results'))).sort(), [
      'preflight-results-140708210602.tar.gz',
      'preflight-results-140709080000.tar.gz',
    ])
    assert.deepEqual((await readdir(out)).sort(), ['latest', 'results'])
  })

  test('latest/report.json reads back through the schema', async () => {
    const out = path.join(dir, 'read')
    const { latest } = await resultsDir(out).write(sampleRun('140708210602'))
    const text = await readFile(path.join(latest, 'report.json'), 'utf8')
    assert.deepEqual(parseReport(text), sampleRun('140708210602').assessment)
  })
})

test('the default output directory: /var/lib for root, XDG state for users', () => {
  assert.equal(defaultOutputDir({}, 0, '/root'), '/var/lib/preflight')
  assert.equal(defaultOutputDir({}, 1000, '/home/ann'), '/home/ann/.local/state/preflight')
  assert.equal(defaultOutputDir({ XDG_STATE_HOME: '/srv/state' }, 1000, '/home/ann'), '/srv/state/preflight')
  assert.equal(
    defaultOutputDir({ XDG_STATE_HOME: 'relative' }, 1000, '/home/ann'),
    '/home/ann/.local/state/preflight',
  )
})

describe('output directory safety', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'preflight-outsafe-'))
    await mkdir(path.join(dir, 'root', 'etc'), { recursive: true })
    await symlink(path.join(dir, 'root', 'var'), path.join(dir, 'link-into-root'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const offline = () => ({ root: path.join(dir, 'root'), live: false })

  test('refuses an output directory inside the offline root, also through a symlink or not yet existing', async () => {
    for (const output of [
      path.join(dir, 'root'),
      path.join(dir, 'root', 'var', 'lib', 'preflight'),
      path.join(dir, 'link-into-root', 'out'),
      path.join(dir, 'link-into-root'),
      path.join(dir, 'root', 'etc', '..', 'tmp'),
    ]) {
      await assert.rejects(assertSafeOutputDir(output, offline()), OutputDirError, output)
    }
  })

  test('refuses an output directory whose results/ leads into the root', async () => {
    const output = path.join(dir, 'out-with-link')
    await mkdir(output)
    await symlink(path.join(dir, 'root', 'etc'), path.join(output, 'results'))
    await assert.rejects(assertSafeOutputDir(output, offline()), /is inside the assessed root/)
  })

  test('refuses a root inside the parts of the output directory a run replaces', async () => {
    await assert.rejects(
      assertSafeOutputDir(dir, { root: path.join(dir, 'latest', 'img'), live: false }),
      /inside .*latest, which each run replaces/,
    )
  })

  test('accepts a sibling directory, a parent of the root, and anything for the live system', async () => {
    await assertSafeOutputDir(path.join(dir, 'out'), offline())
    await assertSafeOutputDir(dir, offline())
    await assertSafeOutputDir('/var/lib/preflight', { root: '/', live: true })
  })
})
