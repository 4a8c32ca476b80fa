import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { CheckResult } from '../engine/assessment.ts'
import type { AnyFact } from '../facts/define-fact.ts'
import { elapsed, type ProgressStream, progress, supportsColor } from './progress.ts'

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what is being removed
const escapes = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g

function capture(tty: boolean): { stream: ProgressStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 })
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  return { stream, text: () => text }
}

const fact = (id: string, title: string) =>
  ({ id, title, needs: {}, collect: async () => undefined }) as AnyFact
const packages = fact('packages', 'All installed packages')
const users = fact('users', 'All users')
const check = (title: string) => ({ title }) as CheckResult

describe('progress', () => {
  test('prints the seed lines: padded titles, NN/TT, finished or failed with the reason, then the checks', () => {
    const { stream, text } = capture(false)
    const observer = progress(stream, { env: {} })
    observer.factsPlanned?.([packages, users])
    observer.factStarted?.(users)
    observer.factProgress?.(users, 1, 2)
    observer.factFinished?.(users, { id: 'users', title: 'All users', ms: 3 })
    observer.factFinished?.(packages, {
      id: 'packages',
      title: 'All installed packages',
      ms: 69_400,
      error: '/var/lib/rpm/Packages: corrupt\npage',
    })
    observer.checksStarted?.(2)
    observer.checkFinished?.(check('Removed rpms'), 1, 2)
    observer.checkFinished?.(check('Obsoleted rpms'), 2, 2)
    observer.finished(1500)
    assert.equal(
      text(),
      [
        'Gathering facts:',
        'All users              : 01/02 ...finished (time 00:00s)',
        'All installed packages : 02/02 ...failed (time 01:09s): /var/lib/rpm/Packages: corrupt\\x0apage',
        'Running checks:',
        '001/002 ...done    (Removed rpms)',
        '002/002 ...done    (Obsoleted rpms)',
        'Assessment finished (time 00:01s)',
        '',
      ].join('\n'),
    )
  })

  test('counters grow with the totals', () => {
    const { stream, text } = capture(false)
    const observer = progress(stream, { env: {} })
    observer.checkFinished?.(check('One'), 7, 1234)
    assert.equal(text(), '0007/1234 ...done    (One)\n')
  })

  test('on a colour terminal a long fact gets a bar, and no line is lost around it', async () => {
    const { stream, text } = capture(true)
    const observer = progress(stream, { env: {}, barDelayMs: 0 })
    observer.factsPlanned?.([packages, users])
    observer.factStarted?.(packages)
    observer.factProgress?.(packages, 10, 100)
    observer.factFinished?.(users, { id: 'users', title: 'All users', ms: 1 })
    // cli-progress redraws on a timer (every 100 ms on a terminal).
    await delay(150)
    observer.factProgress?.(packages, 60, 100)
    observer.factFinished?.(packages, { id: 'packages', title: 'All installed packages', ms: 2 })
    observer.checksStarted?.(0)
    const raw = text()
    assert.match(raw, /All installed packages : \[[█░]+\] 10\/100/)
    const plain = raw.replace(escapes, '')
    const order = [
      'Gathering facts:',
      'All users              : 01/02',
      'All installed packages : 02/02',
      'Running checks: none',
    ]
    const positions = order.map((line) => plain.lastIndexOf(line))
    for (const [index, position] of positions.entries()) assert.ok(position >= 0, order[index])
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    )
    assert.equal(plain.split('All users              : 01/02').length, 2, 'each line once')
  })

  test('colour only on a terminal without NO_COLOR or TERM=dumb', () => {
    assert.equal(supportsColor({ isTTY: true } as ProgressStream, {}), true)
    assert.equal(supportsColor({ isTTY: false } as ProgressStream, {}), false)
    assert.equal(supportsColor({ isTTY: true } as ProgressStream, { NO_COLOR: '1' }), false)
    assert.equal(supportsColor({ isTTY: true } as ProgressStream, { TERM: 'dumb' }), false)
    const { stream, text } = capture(true)
    const observer = progress(stream, { env: { NO_COLOR: '1' }, barDelayMs: 0 })
    observer.factsPlanned?.([packages])
    observer.factStarted?.(packages)
    observer.factProgress?.(packages, 1, 100)
    observer.factFinished?.(packages, { id: 'packages', title: 'All installed packages', ms: 2 })
    assert.equal(text(), 'Gathering facts:\nAll installed packages : 01/01 ...finished (time 00:00s)\n')
  })

  test('elapsed time as the Preupgrade Assistant prints it', () => {
    assert.equal(elapsed(0), '00:00s')
    assert.equal(elapsed(69_999), '01:09s')
    assert.equal(elapsed(3_600_000), '60:00s')
  })
})
