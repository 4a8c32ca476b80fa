import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import type { AssessOptions } from '../engine/assess.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import type { TargetRelease } from './define-check.ts'
import { finalStatus } from './result.ts'
import { systemVersion } from './system-version.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const run = (root: string, options: AssessOptions = {}) =>
  runCheckOn(systemVersion, path.join(roots, root), options)

function outcome(os: OsIdentity, target: TargetRelease) {
  const result = systemVersion.run({ osIdentity: os }, { os, target })
  assert.ok(!(result instanceof Promise))
  return { ...result, final: finalStatus(result).status }
}

describe('system.version on fixture roots', () => {
  test("the blog's CentOS 6.5 is not the latest CentOS 6: update first", async () => {
    const result = await run('centos65-blog')
    assert.equal(result.status, 'needs_action')
    assert.deepEqual(
      result.risks.map((r) => [r.level, r.file]),
      [['high', '/etc/redhat-release']],
    )
    assert.match(
      result.risks[0]?.message ?? '',
      /^CentOS 6.5 is not the latest CentOS 6 release \(6.10, per releases.json as of \d{4}-\d\d-\d\d\)\.$/,
    )
    assert.match(result.solution ?? '', /^Update to CentOS 6.10 first — `yum update` — then reboot/)
    assert.deepEqual(result.messages, ['CentOS 6 → 7 is one major release: an in-place upgrade path.'])
  })

  test('CentOS 6.10, the last CentOS 6, passes', async () => {
    const result = await run('centos610-clean')
    assert.equal(result.status, 'pass')
    assert.match(result.messages[1] ?? '', /^CentOS 6.10 is the latest CentOS 6 release/)
  })

  test('skipping a major is impossible in place: 6 → 8 fails', async () => {
    const result = await run('centos610-clean', { target: '8' })
    assert.equal(result.status, 'fail')
    assert.equal(result.risks[0]?.level, 'extreme')
    assert.match(result.risks[0]?.message ?? '', /The target CentOS 8 skips CentOS 7/)
    assert.match(result.solution ?? '', /Choose CentOS 7 as the target \(--target 7\)/)
  })

  test('Debian 12.5: an older point release is a medium risk, with apt to fix it', async () => {
    const result = await run('debian12-thirdparty')
    assert.equal(result.status, 'needs_inspection')
    assert.deepEqual(
      result.risks.map((r) => [r.level, r.file]),
      [['medium', '/etc/debian_version']],
    )
    assert.match(result.solution ?? '', /`apt update && apt full-upgrade`/)
    assert.doesNotMatch(result.solution ?? '', /blog/)
  })

  test('a Debian target given by codename is checked like a number', async () => {
    const result = await run('debian12-clean', { target: 'forky' })
    assert.equal(result.status, 'fail')
    assert.match(result.risks[0]?.message ?? '', /The target Debian 14 skips Debian 13/)
  })
})

describe('system.version decisions', () => {
  const debian13: OsIdentity = {
    distro: 'debian',
    family: 'debian',
    name: 'Debian 13',
    version: '13.2',
    major: 13,
    minor: 2,
    codename: 'trixie',
  }
  const centos8: OsIdentity = {
    distro: 'centos',
    family: 'rhel',
    name: 'CentOS Linux 8',
    version: '8.5.2111',
    major: 8,
    minor: 5,
  }

  test('a release that is not out yet is a high risk', () => {
    const result = outcome(debian13, { distro: 'debian', major: 14, version: '14', codename: 'forky' })
    assert.equal(result.final, 'needs_action')
    assert.match(result.risks[0]?.message ?? '', /^Debian 14 \(forky\) is not released yet/)
  })

  test('a target that does not exist, or is not newer, is extreme', () => {
    const missing = outcome(centos8, { distro: 'centos', major: 9, version: '9' })
    assert.equal(missing.final, 'fail')
    assert.match(missing.risks[0]?.message ?? '', /There is no CentOS 9/)
    const same = outcome(centos8, { distro: 'centos', major: 8, version: '8' })
    assert.match(same.risks[0]?.message ?? '', /The target CentOS 8 is not newer than the installed 8.5.2111/)
  })

  test('a distribution without a table is informational, never a guess', () => {
    const ubuntu: OsIdentity = {
      distro: 'ubuntu',
      family: 'debian',
      name: 'Ubuntu 22.04.4 LTS',
      version: '22.04',
      major: 22,
      minor: 4,
    }
    const result = outcome(ubuntu, { distro: 'ubuntu', major: 23, version: '23' })
    assert.equal(result.final, 'informational')
    assert.match(result.messages[0] ?? '', /has no point releases for Ubuntu 22.04.4 LTS/)
  })

  test('Rocky Linux is measured against the RHEL table', () => {
    const rocky: OsIdentity = {
      distro: 'rocky',
      family: 'rhel',
      name: 'Rocky Linux 8.10',
      version: '8.10',
      major: 8,
      minor: 10,
    }
    const result = outcome(rocky, { distro: 'rocky', major: 9, version: '9' })
    assert.equal(result.final, 'pass')
    assert.match(result.messages[1] ?? '', /Red Hat Enterprise Linux 8.10 is the latest/)
  })
})
