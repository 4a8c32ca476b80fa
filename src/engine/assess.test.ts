import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { defineCheck } from '../checks/define-check.ts'
import { fail, informational, pass, risk } from '../checks/result.ts'
import { openHost } from '../host/host.ts'
import { assess } from './assess.ts'

const passing = defineCheck({
  id: 'system.always-passes',
  title: 'Always passes',
  group: 'system',
  description: 'test',
  needs: ['osIdentity'],
  run: ({ osIdentity }) => pass(`saw ${osIdentity.distro}`),
})
const highRisk = defineCheck({
  id: 'network.high-risk',
  title: 'High risk',
  group: 'network',
  description: 'test',
  needs: [],
  run: () => fail([risk('medium', 'one'), risk('high', 'two')], 'do something'),
})
const throwing = defineCheck({
  id: 'system.throws',
  title: 'Throws',
  group: 'system',
  description: 'test',
  needs: [],
  run: () => {
    throw new Error('boom')
  },
})
const hanging = defineCheck({
  id: 'system.hangs',
  title: 'Hangs',
  group: 'system',
  description: 'test',
  needs: [],
  timeoutMs: 50,
  run: () => new Promise(() => {}),
})
const lying = defineCheck({
  id: 'system.lies',
  title: 'Passes with a risk',
  group: 'system',
  description: 'test',
  needs: [],
  run: () => ({ ...informational('x'), risks: [risk('slight', 'hidden')] }),
})
const notForThisHost = defineCheck({
  id: 'desktop.not-here',
  title: 'Not here',
  group: 'desktop',
  description: 'test',
  needs: [],
  appliesTo: () => 'no desktop installed',
  run: () => pass(),
})

describe('assess', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-engine-'))
    await mkdir(path.join(root, 'etc'), { recursive: true })
    await mkdir(path.join(root, 'usr'), { recursive: true })
    await writeFile(path.join(root, 'etc/redhat-release'), 'CentOS release 6.5 (Final)\n')
    await writeFile(path.join(root, 'etc/hostname'), 'pingu\n')
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('derives statuses from risks, survives throwing and hanging checks, and summarises', async () => {
    const { assessment } = await assess(openHost({ root }), [
      passing,
      highRisk,
      throwing,
      hanging,
      lying,
      notForThisHost,
    ])
    const status = Object.fromEntries(assessment.results.map((r) => [r.id, r.status]))
    assert.deepEqual(status, {
      'system.always-passes': 'pass',
      'network.high-risk': 'needs_action',
      'system.throws': 'error',
      'system.hangs': 'error',
      'system.lies': 'error',
      'desktop.not-here': 'notapplicable',
    })
    const byId = new Map(assessment.results.map((r) => [r.id, r]))
    assert.match(byId.get('system.throws')?.error ?? '', /crashed: boom/)
    assert.match(byId.get('system.hangs')?.error ?? '', /did not finish within 50 ms/)
    assert.deepEqual(byId.get('system.always-passes')?.messages, ['saw centos'])
    assert.equal(assessment.summary.exitCode, 2)
    assert.equal(assessment.summary.highestRisk, 'high')
    assert.equal(assessment.host.hostname, 'pingu')
    assert.deepEqual(assessment.target, { distro: 'centos', major: 7, version: '7' })
  })

  test('--select and --skip take ids and groups; unknown names are an error', async () => {
    const checks = [passing, highRisk, throwing]
    const { assessment } = await assess(openHost({ root }), checks, {
      select: ['system'],
      skip: ['system.throws'],
    })
    assert.deepEqual(
      assessment.results.map((r) => r.id),
      ['system.always-passes'],
    )
    assert.equal(assessment.summary.exitCode, 0)
    await assert.rejects(
      assess(openHost({ root }), checks, { select: ['nope'] }),
      /no check or group named 'nope'/,
    )
  })

  test('a failing fact turns only the checks that need it into errors', async () => {
    const brokenRoot = await mkdtemp(path.join(tmpdir(), 'preflight-engine-broken-'))
    await mkdir(path.join(brokenRoot, 'etc/os-release'), { recursive: true })
    await mkdir(path.join(brokenRoot, 'usr'))
    try {
      const { assessment, facts } = await assess(openHost({ root: brokenRoot }), [passing, highRisk])
      const byId = new Map(assessment.results.map((r) => [r.id, r]))
      assert.equal(byId.get('system.always-passes')?.status, 'error')
      assert.match(
        byId.get('system.always-passes')?.error ?? '',
        /Operating system: \/etc\/os-release: is a directory/,
      )
      assert.match(String((facts.osIdentity as { error: string }).error), /is a directory/)
    } finally {
      await rm(brokenRoot, { recursive: true, force: true })
    }
  })
})
