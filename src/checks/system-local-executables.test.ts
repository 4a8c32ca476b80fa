import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ExecutableFiles } from '../facts/executable-files.ts'
import type { CheckContext } from './define-check.ts'
import { finalStatus } from './result.ts'
import { systemLocalExecutables } from './system-local-executables.ts'

const context: CheckContext = {
  os: { distro: 'centos', family: 'rhel', name: 'CentOS Linux 7', version: '7.9.2009', major: 7, minor: 9 },
  target: { distro: 'centos', major: 8, version: '8' },
}

function run(executableFiles: ExecutableFiles) {
  const outcome = systemLocalExecutables.run({ executableFiles }, context)
  assert.ok(!(outcome instanceof Promise))
  return outcome
}

describe('system.local-executables', () => {
  test('binaries and scripts are slight risks each, with what to do', () => {
    const outcome = run({
      count: 4,
      complete: true,
      files: [
        { path: '/usr/local/bin/tool', size: 81000, type: 'elf' },
        { path: '/usr/local/bin/report.py', size: 200, type: 'script', interpreter: '/usr/bin/python2 -u' },
        { path: '/etc/cron.daily/backup', size: 90, type: 'script', interpreter: '/bin/sh' },
        { path: '/opt/app/data.bin', size: 10, type: 'other' },
      ],
    })
    assert.equal(finalStatus(outcome).status, 'needs_inspection')
    assert.deepEqual(
      outcome.risks.map(({ level, message }) => [level, message]),
      [
        ['slight', 'Binaries no package owns (1), built for the installed release: /usr/local/bin/tool.'],
        [
          'slight',
          'Scripts no package owns (2), which need their interpreters (/usr/bin/python2, /bin/sh): /usr/local/bin/report.py (#!/usr/bin/python2 -u), /etc/cron.daily/backup (#!/bin/sh).',
        ],
      ],
    )
    assert.match(outcome.solution ?? '', /ldd FILE/)
    assert.equal(
      outcome.messages[0],
      'Executable files no package owns: 4; binaries: 1, scripts: 2, other: 1.',
    )
    assert.ok(outcome.messages.includes('other: /opt/app/data.bin'))
  })

  test('no executables passes', () => {
    assert.equal(run({ count: 0, complete: true, files: [] }).status, 'pass')
  })
})
