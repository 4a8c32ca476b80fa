import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const namespace = `pfnoroute${process.pid}`
const exchangeModule = fileURLToPath(new URL('./socket-exchange.ts', import.meta.url))
const tsx = createRequire(import.meta.url).resolve('tsx')
const isRoot = process.getuid?.() === 0

before(() => {
  if (!isRoot) return
  // A namespace with only lo up: no route to the probed address, as on a node whose network is not up yet.
  execFileSync('ip', ['netns', 'add', namespace])
  execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
})
after(() => {
  if (isRoot) spawnSync('ip', ['netns', 'del', namespace])
})

test('a UDP probe with no route to its target fails the check instead of crashing the daemon', {
  skip: !isRoot && 'needs root for a network namespace',
}, () => {
  const script = `
    const { udpRequest } = await import(${JSON.stringify(exchangeModule)})
    try {
      await udpRequest({ host: '192.0.2.53', port: 53, source: undefined }, Buffer.from('x'), AbortSignal.timeout(2000))
      console.log('answered')
    } catch (error) {
      console.log('rejected', error.code)
    }`
  const run = spawnSync(
    'ip',
    ['netns', 'exec', namespace, process.execPath, '--import', tsx, '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  )
  assert.equal(run.stderr, '')
  assert.equal(run.status, 0)
  assert.equal(run.stdout.trim(), 'rejected ENETUNREACH')
})
