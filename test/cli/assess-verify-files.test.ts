import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from './run-cli.ts'

const conffilesRoot = fileURLToPath(new URL('../fixtures/roots/debian12-conffiles', import.meta.url))

async function factsOfRun(extraArgs: string[]): Promise<Record<string, unknown>> {
  const out = await mkdtemp(path.join(tmpdir(), 'preflight-verify-files-'))
  try {
    await runCli(['assess', '-q', '--root', conffilesRoot, '-o', out, ...extraArgs])
    return JSON.parse(await readFile(path.join(out, 'latest', 'facts.json'), 'utf8')).facts
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

test('--verify-files puts every changed file, as dpkg --verify prints it, in facts.json', async () => {
  const facts = await factsOfRun(['--verify-files'])
  const changed = facts.changedFiles as { files: { line: string }[] }
  assert.deepEqual(changed.files.map((file) => file.line).sort(), [
    '??5??????   /usr/bin/demo-tool',
    '??5?????? c /etc/demo/server.conf',
    'missing   c /etc/demo/extra.conf',
  ])
})

test('without --verify-files only config files are verified (assess stays fast)', async () => {
  const facts = await factsOfRun([])
  assert.equal(facts.changedFiles, undefined)
  const changedConfig = facts.changedConfigFiles as { files: { line: string }[] }
  assert.deepEqual(changedConfig.files.map((file) => file.line).sort(), [
    '??5?????? c /etc/demo/server.conf',
    'missing   c /etc/demo/extra.conf',
  ])
})
