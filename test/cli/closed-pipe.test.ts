import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const conffilesRoot = fileURLToPath(new URL('../fixtures/roots/debian12-conffiles', import.meta.url))

test('a reader that closes the pipe early (| head) ends the command quietly with its own exit code', async () => {
  // The reader is gone before the first line is written, as with a `head` that has already quit.
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'verify', '--root', conffilesRoot], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  child.stdout.destroy()
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(stderr, '')
  assert.equal(code, 1, 'verify still says that something changed')
})
