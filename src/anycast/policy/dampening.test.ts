import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { DampeningSettings } from '../config/anycast-config.ts'
import {
  decayedPenalty,
  initialDampening,
  penaltyCeiling,
  recordFlap,
  settle,
  suppressedFor,
} from './dampening.ts'

const settings: DampeningSettings = {
  penalty: 1000,
  suppress: 2000,
  reuse: 750,
  halfLife: 30_000,
  maxSuppress: 300_000,
}

describe('flap dampening', () => {
  test('the penalty halves every half-life', () => {
    const state = recordFlap(initialDampening, settings, 0)
    assert.equal(decayedPenalty(state, settings, 0), 1000)
    assert.equal(decayedPenalty(state, settings, 30_000), 500)
    assert.equal(decayedPenalty(state, settings, 90_000), 125)
  })

  test('two quick flaps stay below suppress; the third suppresses, for half-life·log2(P/reuse)', () => {
    let state = recordFlap(initialDampening, settings, 0)
    state = recordFlap(state, settings, 2000)
    assert.equal(state.suppressed, false)
    state = recordFlap(state, settings, 4000)
    assert.equal(state.suppressed, true)
    assert.equal(state.flaps, 3)
    // 1000·2^(-4/30) + 1000·2^(-2/30) + 1000
    const penalty = 1000 * 2 ** (-4 / 30) + 1000 * 2 ** (-2 / 30) + 1000
    assert.ok(Math.abs(state.penalty - penalty) < 1e-9)
    const hold = suppressedFor(state, settings, 4000)
    assert.equal(hold, Math.ceil(30_000 * Math.log2(penalty / 750)))
    assert.equal(hold, 58_031)
    // Still suppressed a millisecond before the hold-down ends, released at its end.
    assert.equal(settle(state, settings, 4000 + hold - 1).suppressed, true)
    assert.equal(settle(state, settings, 4000 + hold).suppressed, false)
    assert.equal(suppressedFor(state, settings, 4000 + hold), 0)
  })

  test('flaps while suppressed add penalty and extend the hold-down', () => {
    let state = initialDampening
    for (const at of [0, 1000, 2000]) state = recordFlap(state, settings, at)
    const before = suppressedFor(state, settings, 10_000)
    state = recordFlap(state, settings, 10_000)
    assert.ok(suppressedFor(state, settings, 10_000) > before)
  })

  test('max-suppress caps the penalty, so no hold-down outlasts it', () => {
    const capped = { ...settings, maxSuppress: 60_000 }
    assert.equal(penaltyCeiling(capped), 3000)
    let state = initialDampening
    for (let at = 0; at < 10_000; at += 100) state = recordFlap(state, capped, at)
    assert.equal(state.penalty, 3000)
    assert.equal(suppressedFor(state, capped, 9_900), 60_000)
  })
})
