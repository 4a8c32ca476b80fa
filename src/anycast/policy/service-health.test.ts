import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { serviceHealth } from './service-health.ts'

describe('service health', () => {
  test('all: healthy only when every check is up, failing as soon as one is down', () => {
    assert.equal(serviceHealth({ mode: 'all' }, ['up', 'up']), 'healthy')
    assert.equal(serviceHealth({ mode: 'all' }, ['up', 'unknown']), 'unknown')
    assert.equal(serviceHealth({ mode: 'all' }, ['up', 'down']), 'failing')
  })

  test('any: healthy when one check is up, failing only when all are down', () => {
    assert.equal(serviceHealth({ mode: 'any' }, ['down', 'up']), 'healthy')
    assert.equal(serviceHealth({ mode: 'any' }, ['down', 'unknown']), 'unknown')
    assert.equal(serviceHealth({ mode: 'any' }, ['down', 'down']), 'failing')
  })

  test('quorum: failing once the quorum cannot be reached any more', () => {
    const quorum = { mode: 'quorum', count: 2 } as const
    assert.equal(serviceHealth(quorum, ['up', 'up', 'down']), 'healthy')
    assert.equal(serviceHealth(quorum, ['up', 'unknown', 'down']), 'unknown')
    assert.equal(serviceHealth(quorum, ['up', 'down', 'down']), 'failing')
  })
})
