import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { assess } from '../engine/assess.ts'
import type { ChangedFiles } from '../facts/packages/changed-files.ts'
import type { FileVerdict } from '../facts/packages/verify/file-verdict.ts'
import { openHost } from '../host/host.ts'
import { configFilesToReview } from './config-files-to-review.ts'
import type { CheckContext } from './define-check.ts'
import { finalStatus } from './result.ts'

const fixtures = path.join(import.meta.dirname, '../../test/fixtures')
const context: CheckContext = {
  os: {
    distro: 'rhel',
    family: 'rhel',
    name: 'Red Hat Enterprise Linux 9.3',
    version: '9.3',
    major: 9,
    minor: 3,
  },
  target: { distro: 'rhel', major: 10, version: '10' },
}

function verdict(line: string, overrides: Partial<FileVerdict> = {}): FileVerdict {
  const missing = line.startsWith('missing')
  return {
    package: 'app-1.0-1.el9.noarch',
    path: line.slice(line.indexOf('/')),
    line,
    missing,
    changed: missing
      ? []
      : ([...line.slice(0, 9)].filter((c) => c !== '.' && c !== '?') as FileVerdict['changed']),
    unknown: [],
    config: true,
    problem: true,
    ...overrides,
  }
}

function run(files: FileVerdict[], format: ChangedFiles['format'] = 'rpm') {
  const outcome = configFilesToReview.run(
    { changedConfigFiles: { format, files, filesChecked: 40, warnings: [] } },
    context,
  )
  assert.ok(!(outcome instanceof Promise))
  return { ...outcome, final: finalStatus(outcome).status }
}

describe('packages.config-files-to-review', () => {
  test('no changed configuration file: pass, saying how many were checked', () => {
    const result = run([])
    assert.equal(result.final, 'pass')
    assert.deepEqual(result.messages, [
      'Checked 40 configuration files against the package database as rpm -Va does: 0 differ.',
    ])
  })

  test('edited content and deletions are medium; metadata slight; a touched file is listed only', () => {
    const result = run([
      verdict('S.5....T.  c /etc/app/base.conf'),
      verdict('.M.......  c /etc/app/secret.conf'),
      verdict('.......T.  c /etc/app/touched.conf'),
      verdict('missing   c /etc/app/gone.conf'),
    ])
    assert.equal(result.final, 'needs_inspection')
    assert.deepEqual(
      result.risks.map((r) => [r.level, r.file, r.message]),
      [
        [
          'medium',
          '/etc/app/base.conf',
          '/etc/app/base.conf: content differs from the packaged file (S.5....T., app-1.0-1.el9.noarch).',
        ],
        [
          'slight',
          '/etc/app/secret.conf',
          '/etc/app/secret.conf: mode, owner or group differs from the packaged file (.M......., app-1.0-1.el9.noarch).',
        ],
        ['medium', '/etc/app/gone.conf', '/etc/app/gone.conf: deleted (missing, app-1.0-1.el9.noarch).'],
      ],
    )
    assert.ok(result.messages.includes('.......T.  c /etc/app/touched.conf'))
    assert.match(result.solution ?? '', /\.rpmnew/)
    assert.match(result.solution ?? '', /\.rpmsave/)
    assert.match(result.solution ?? '', /installs a deleted configuration file again/)
    assert.match(result.solution ?? '', /mode and owner/)
  })

  test('only touched files: pass with the files listed', () => {
    const result = run([verdict('.......T.  c /etc/app/touched.conf')])
    assert.equal(result.final, 'pass')
    assert.equal(result.messages.length, 2)
  })

  test('dpkg: .dpkg-dist/.dpkg-old in the solution, a deleted conffile is slight (dpkg leaves it deleted)', () => {
    const result = run(
      [verdict('??5?????? c /etc/app/edited.conf'), verdict('missing   c /etc/app/gone.conf')],
      'dpkg',
    )
    assert.deepEqual(
      result.risks.map((r) => r.level),
      ['medium', 'slight'],
    )
    assert.match(result.solution ?? '', /\.dpkg-dist/)
    assert.doesNotMatch(result.solution ?? '', /rpmnew/)
  })

  test('end to end on a dpkg root: the edited and the deleted conffile', async () => {
    const { assessment } = await assess(openHost({ root: path.join(fixtures, 'roots/debian12-conffiles') }), [
      configFilesToReview,
    ])
    const [result] = assessment.results
    assert.equal(result?.status, 'needs_inspection')
    assert.deepEqual(
      result?.risks.map((r) => r.file),
      ['/etc/demo/server.conf', '/etc/demo/extra.conf'],
    )
  })

  test('end to end on the tampered elroot: its changed %config files, none of the other changes', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-config-review-'))
    try {
      execFileSync('tar', ['-xzf', path.join(fixtures, 'elroot/elroot-ndb-root.tar.gz'), '-C', root])
      execFileSync('bash', [path.join(fixtures, 'elroot/tamper-elroot.sh'), root, 'true'], {
        stdio: 'ignore',
      })
      await writeFile(path.join(root, 'etc/os-release'), 'ID="rhel"\nVERSION_ID="9.3"\n')
      const { assessment } = await assess(openHost({ root }), [configFilesToReview])
      const [result] = assessment.results
      assert.equal(result?.status, 'needs_inspection')
      assert.deepEqual(
        result?.risks.map((r) => [r.level, r.file]),
        [
          ['medium', '/etc/elroot/base.conf'],
          ['slight', '/etc/elroot/logging.conf'],
          ['slight', '/etc/elroot/server.secret'],
        ],
      )
      // server.conf was only touched; optional.conf is %config(missingok).
      assert.ok(result?.messages.includes('.......T.  c /etc/elroot/server.conf'))
      assert.ok(!result?.messages.some((m) => m.includes('optional.conf')))
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
