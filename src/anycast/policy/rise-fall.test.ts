import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { applyResult, initialRiseFall, isChanging, type RiseFallState } from './rise-fall.ts'

function feed(results: boolean[], rise = 3, fall = 2): RiseFallState[] {
  const states: RiseFallState[] = []
  let state = initialRiseFall
  for (const ok of results) {
    state = applyResult(state, ok, rise, fall)
    states.push(state)
  }
  return states
}

describe('rise/fall', () => {
  test('up only after rise consecutive successes; a failure restarts the count', () => {
    assert.deepEqual(
      feed([true, true, false, true, true, true]).map((s) => s.state),
      ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'up'],
    )
  })

  test('down after fall consecutive failures, and back up after rise', () => {
    const states = feed([true, true, true, false, true, false, false, true, true, true])
    assert.deepEqual(
      states.map((s) => s.state),
      ['unknown', 'unknown', 'up', 'up', 'up', 'up', 'down', 'down', 'down', 'up'],
    )
  })

  test('the state is "changing" while unknown and while counting towards the other state', () => {
    const states = feed([true, true, true, false, false, false, true])
    assert.deepEqual(states.map(isChanging), [true, true, false, true, false, false, true])
  })
})
