import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import { locateRpmdb, readRpmdb } from '../rpm/rpmdb.ts'
import { rpmVerify } from './rpm-verify.ts'
import { accountIds } from './verify-packages.ts'

// The elroot fixtures: pristine EL-like roots with five packages, one per rpm database backend,
// the tamper script that makes 13 known changes, and what the real rpm -Va prints after them.
const fixtures = path.resolve(import.meta.dirname, '../../../../test/fixtures/elroot')
const rpmBinary = '/usr/bin/rpm'

const backends = [
  { name: 'sqlite', tarball: 'elroot-sqlite-root.tar.gz', dbpath: '/var/lib/rpm', rpmBackend: 'sqlite' },
  { name: 'bdb', tarball: 'elroot-bdb-root.tar.gz', dbpath: '/var/lib/rpm', rpmBackend: 'bdb_ro' },
  // Debian's rpm has no ndb backend: only the recorded output is the oracle there.
  { name: 'ndb', tarball: 'elroot-ndb-root.tar.gz', dbpath: '/usr/lib/sysimage/rpm', rpmBackend: 'ndb' },
] as const

/** The file lines of rpm -Va output: no dependency problems, no script banner or exit status. */
function fileLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line !== '' && !/^(== |rc=|Unsatisfied dependencies|\t|warning: )/.test(line))
}

async function ourLines(root: string, options: { configOnly?: boolean } = {}): Promise<string[]> {
  const host = openHost({ root })
  const dbFile = await locateRpmdb(host)
  assert.ok(dbFile, `no rpm database under ${root}`)
  const db = await readRpmdb(host, dbFile)
  const result = await rpmVerify(host, db, accountIds({ users: [], groups: [] }), options)
  return result.verdicts.map((verdict) => verdict.line)
}

describe('rpm -Va on the elroot fixtures', () => {
  let scratch: string
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'preflight-rpm-verify-'))
  })
  after(() => rm(scratch, { recursive: true, force: true }))

  for (const backend of backends) {
    test(`${backend.name}: pristine verifies clean; tampered prints exactly rpm's lines`, async () => {
      const root = path.join(scratch, backend.name)
      await mkdir(root)
      execFileSync('tar', ['-xzf', path.join(fixtures, backend.tarball), '-C', root])
      assert.deepEqual(await ourLines(root), [])

      const rpm = existsSync(rpmBinary) && backend.rpmBackend !== 'ndb' ? rpmBinary : 'true'
      const script = path.join(fixtures, 'tamper-elroot.sh')
      const output = execFileSync('bash', [script, root, rpm, backend.dbpath, backend.rpmBackend], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      const recorded = fileLines(
        await readFile(path.join(fixtures, `expected/rpm-Va.${backend.rpmBackend}.txt`), 'utf8'),
      )
      const ours = await ourLines(root)
      assert.deepEqual(ours, recorded)
      if (rpm !== 'true') assert.deepEqual(ours, fileLines(output), 'the rpm of this machine disagrees')

      // --configfiles: the same lines, only those of %config files.
      const configOnly = await ourLines(root, { configOnly: true })
      assert.deepEqual(
        configOnly,
        recorded.filter((line) => / c \//.test(line)),
      )
    })
  }
})
