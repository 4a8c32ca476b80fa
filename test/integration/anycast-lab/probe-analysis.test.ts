import assert from 'node:assert/strict'
import { test } from 'node:test'
import { firstTxt, formatSample, isLabAddress, parseSample } from './dns-probe.ts'
import { findSwitch } from './probe-analysis.ts'

const samples = [
  '1000 eu 1.00',
  '1020 eu 1.00',
  '1040 TIMEOUT 100.00',
  '1160 ERROR:ENETUNREACH 0.10',
  '1180 apac 2.00',
  '1200 eu 1.00',
]
  .map(parseSample)
  .filter((sample) => sample !== undefined)

test('a switch is the first answer from another site; timeouts and errors on the way are lost queries', () => {
  assert.deepEqual(findSwitch(samples, 1010, 'eu'), { at: 1180, to: 'apac', afterMs: 170, lost: 2 })
  assert.deepEqual(findSwitch(samples, 1190, 'apac'), { at: 1200, to: 'eu', afterMs: 10, lost: 0 })
  assert.equal(findSwitch(samples, 1000, 'eu')?.to, 'apac')
  assert.equal(findSwitch(samples, 1201, 'eu'), undefined)
  assert.equal(formatSample({ at: 5, answer: 'us', rttMs: 0.123 }), '5 us 0.12')
})

test('the probe only aims at lab ranges and reads the TXT answer of a reply', () => {
  assert.equal(isLabAddress('203.0.113.53'), true)
  assert.equal(isLabAddress('8.8.8.8'), false)
  // whoami.lab.test TXT "apac", as NSD answers it (name compressed to the question).
  const reply = Buffer.from(
    '1234 8400 0001 0001 0000 0000 06 77686f616d69 03 6c6162 04 74657374 00 0010 0001 c00c 0010 0001 0000003c 0005 04 61706163'.replace(
      / /g,
      '',
    ),
    'hex',
  )
  assert.equal(firstTxt(reply), 'apac')
  const empty = Buffer.from(reply.subarray(0, 12 + 17 + 4))
  empty.writeUInt16BE(0, 6)
  assert.equal(firstTxt(empty), undefined)
})
