import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { gatherFacts } from '../../engine/gather.ts'
import { openHost } from '../../host/host.ts'
import { type ChangedFiles, changedConfigFiles, changedFiles } from './changed-files.ts'

const fixtures = path.join(import.meta.dirname, '../../../test/fixtures')

async function gather(root: string) {
  const progress: [number, number][] = []
  const { facts } = await gatherFacts(openHost({ root }), [changedFiles, changedConfigFiles], {
    factProgress: (fact, done, total) => {
      if (fact.id === 'changedFiles') progress.push([done, total])
    },
  })
  const value = (id: string) => {
    const gathered = facts.get(id)
    assert.ok(gathered && !gathered.failed, gathered?.failed ? gathered.message : `${id} not gathered`)
    return gathered.value as ChangedFiles
  }
  return { all: value('changedFiles'), config: value('changedConfigFiles'), progress }
}

describe('changed files facts', () => {
  test('dpkg: every changed file, and the conffiles alone', async () => {
    const { all, config, progress } = await gather(path.join(fixtures, 'roots/debian12-conffiles'))
    assert.equal(all.format, 'dpkg')
    assert.deepEqual(
      all.files.map((f) => f.line),
      [
        '??5?????? c /etc/demo/server.conf',
        'missing   c /etc/demo/extra.conf',
        '??5??????   /usr/bin/demo-tool',
      ],
    )
    assert.equal(all.filesChecked, 19)
    assert.deepEqual(
      config.files.map((f) => f.path),
      ['/etc/demo/server.conf', '/etc/demo/extra.conf'],
    )
    assert.equal(config.filesChecked, 3)
    assert.deepEqual(progress.at(-1), [19, 19])
  })

  test('rpm: the elroot as installed has nothing changed', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-changed-'))
    try {
      execFileSync('tar', ['-xzf', path.join(fixtures, 'elroot/elroot-sqlite-root.tar.gz'), '-C', root])
      const { all, config } = await gather(root)
      assert.equal(all.format, 'rpm')
      assert.deepEqual(all.files, [])
      assert.equal(all.filesChecked, 23)
      assert.equal(config.filesChecked, 5)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  test('no package database: both facts fail with the reason', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-changed-none-'))
    try {
      await mkdir(path.join(root, 'etc'))
      const { facts } = await gatherFacts(openHost({ root }), [changedConfigFiles])
      const gathered = facts.get('changedConfigFiles')
      assert.ok(gathered?.failed)
      assert.match(gathered.message, /no package database found/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
