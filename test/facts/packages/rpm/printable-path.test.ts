import assert from 'node:assert/strict'
import { test } from 'node:test'
import { printablePath } from '../../../../src/facts/packages/rpm/printable-path.ts'

test('valid UTF-8 prints as itself', () => {
  assert.equal(
    printablePath(Buffer.from('/usr/share/doc/café/naïve 文件.txt')),
    '/usr/share/doc/café/naïve 文件.txt',
  )
})

test('bytes that are not UTF-8, control characters and backslashes print escaped', () => {
  assert.equal(printablePath(Buffer.from('/tmp/caf\xe9.txt', 'latin1')), '/tmp/caf\\xe9.txt')
  assert.equal(printablePath(Buffer.from('/tmp/a\nb\tc\x7f')), '/tmp/a\\x0ab\\x09c\\x7f')
  assert.equal(printablePath(Buffer.from('/tmp/back\\slash')), '/tmp/back\\\\slash')
  // overlong encoding of '/', a lone surrogate, a truncated sequence
  assert.equal(
    printablePath(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe6, 0x96])),
    '\\xc0\\xaf\\xed\\xa0\\x80\\xe6\\x96',
  )
})

test('different names never print the same', () => {
  const latin1 = printablePath(Buffer.from('caf\xe9', 'latin1'))
  const literal = printablePath(Buffer.from('caf\\xe9'))
  assert.notEqual(latin1, literal)
})
