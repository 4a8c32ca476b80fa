import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LocalFiles } from '../facts/local-files.ts'
import type { CheckContext } from './define-check.ts'
import { finalStatus } from './result.ts'
import { systemLocalFiles } from './system-local-files.ts'

const context: CheckContext = {
  os: {
    distro: 'debian',
    family: 'debian',
    name: 'Debian GNU/Linux 12',
    version: '12.7',
    major: 12,
    minor: 7,
  },
  target: { distro: 'debian', major: 13, version: '13' },
}

function local(overrides: Partial<LocalFiles>): { localFiles: LocalFiles } {
  return {
    localFiles: {
      scanned: ['/etc', '/opt'],
      absent: ['/srv'],
      skippedMounts: [],
      entriesWalked: 2000,
      unownedCount: 0,
      byDirectory: [],
      listed: [],
      expected: [],
      executables: { count: 0, listed: [] },
      complete: true,
      warnings: [],
      ...overrides,
    },
  }
}

function run(input: { localFiles: LocalFiles }) {
  const outcome = systemLocalFiles.run(input, context)
  assert.ok(!(outcome instanceof Promise))
  return outcome
}

describe('system.local-files', () => {
  test('lists what no package owns, informational: a list for the migration, not a risk', () => {
    const outcome = run(
      local({
        unownedCount: 6,
        byDirectory: [
          { directory: '/opt/app', count: 4 },
          { directory: '/etc/fstab', count: 1 },
          { directory: '/etc/myapp.conf', count: 1 },
        ],
        listed: [
          { path: '/etc/fstab', kind: 'file', mode: 0o644, size: 37 },
          { path: '/etc/myapp.conf', kind: 'file', mode: 0o600, size: 120 },
          { path: '/opt/app', kind: 'directory', entriesBelow: 3 },
        ],
        expected: [
          {
            glob: '/etc/alternatives/*',
            why: 'links managed by alternatives / update-alternatives',
            count: 40,
          },
        ],
      }),
    )
    assert.equal(finalStatus(outcome).status, 'informational')
    assert.deepEqual(outcome.messages, [
      'Walked /etc, /opt: entries: 2000; not owned by any package: 6.',
      'Not on this host: /srv.',
      'Made by the system itself and not listed: links managed by alternatives / update-alternatives (/etc/alternatives/*): 40.',
      'Not owned, by directory: /opt/app 4, /etc/fstab 1, /etc/myapp.conf 1.',
      'All of them (a directory no package owns is one line, with the count of what is below it):',
      '/etc/fstab (37 bytes)',
      '/etc/myapp.conf (120 bytes)',
      '/opt/app/ (directory; not-owned entries below it: 3)',
    ])
  })

  test('says when the list is cut short and when the walk stopped early', () => {
    const outcome = run(
      local({
        unownedCount: 900,
        byDirectory: [{ directory: '/opt/big', count: 900 }],
        listed: [{ path: '/opt/big', kind: 'directory', entriesBelow: 500 }],
        complete: false,
      }),
    )
    assert.ok(
      outcome.messages.includes(
        'The walk stopped at maxEntries (2000, local-file-scan.json): the counts are lower bounds.',
      ),
    )
    assert.ok(outcome.messages.some((message) => message.startsWith('The first 1 of them')))
  })

  test('everything owned passes', () => {
    assert.equal(run(local({})).status, 'pass')
  })
})
