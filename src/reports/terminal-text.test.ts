import assert from 'node:assert/strict'
import { test } from 'node:test'
import { terminalText } from './terminal-text.ts'

test('control characters from host files are shown, not sent to the terminal', () => {
  assert.equal(terminalText('a\x1b[2Jb\x07c\rd'), 'a\\x1b[2Jb\\x07c\\x0dd')
  assert.equal(terminalText('one\ntwo'), 'one\\x0atwo')
  assert.equal(terminalText('one\ntwo', true), 'one\ntwo')
  assert.equal(terminalText('key\tvalue'), 'key value')
  assert.equal(terminalText('abc\u202edef'), 'abc\\u202edef')
  assert.equal(terminalText('Grüße → ok'), 'Grüße → ok')
})
