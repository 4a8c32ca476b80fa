import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseSshdConfig, renderSshdConfig, splitSshdArguments } from './parse-sshd-config.ts'

const fixtureConfig = path.join(
  import.meta.dirname,
  '../../../test/fixtures/roots/ssh-slow-login-fires/etc/ssh/sshd_config',
)

test('renders every input back byte for byte', () => {
  const inputs = [
    '',
    '\n',
    'UseDNS yes',
    'Port 22\r\nUseDNS no\r\n',
    '  \tUseDNS = "yes"  # why\n\n#UseDNS no\nMatch User x\n\tX11Forwarding no\n',
    'broken "quote\nUseDNS\n=yes\n',
    readFileSync(fixtureConfig, 'utf8'),
    readFileSync('/etc/ssh/sshd_config', 'utf8'),
  ]
  for (const text of inputs) assert.equal(renderSshdConfig(parseSshdConfig(text, '/f')), text)
})

test('keywords are case-insensitive and take blanks or one "=" before the value', () => {
  const file = parseSshdConfig(
    'UseDNS yes\nusedns=no\n  USEDNS = yes\nUseDNS =no # trailing comment\nUseDNS\t"yes"\r\n',
    '/f',
  )
  assert.deepEqual(
    file.lines.map((l) => [l.keyword, l.writtenKeyword, l.args]),
    [
      ['usedns', 'UseDNS', ['yes']],
      ['usedns', 'usedns', ['no']],
      ['usedns', 'USEDNS', ['yes']],
      ['usedns', 'UseDNS', ['no']],
      ['usedns', 'UseDNS', ['yes']],
      [undefined, undefined, []],
    ],
  )
  assert.deepEqual(file.warnings, [])
})

test('arguments: quotes group, backslash escapes, a "#" word ends the line', () => {
  assert.deepEqual(splitSshdArguments('"a b" \'c d\' e\\ f g\\"h #rest'), ['a b', 'c d', 'e f', 'g"h'])
  assert.deepEqual(splitSshdArguments('a"b c"d'), ['ab cd'])
  assert.deepEqual(splitSshdArguments('x#y'), ['x#y'])
  assert.equal(splitSshdArguments('"open'), 'unterminated-quote')
})

test('comments and blank lines have no keyword; bad lines are warnings with file and line', () => {
  const file = parseSshdConfig('# c\n\n   \nUseDNS\nUseDNS "yes\n=yes\nPort 22\n', '/etc/ssh/sshd_config')
  assert.deepEqual(
    file.lines.map((l) => l.keyword),
    [undefined, undefined, undefined, undefined, undefined, undefined, 'port', undefined],
  )
  assert.deepEqual(file.warnings, [
    {
      file: '/etc/ssh/sshd_config',
      line: 4,
      message: 'no argument after keyword "UseDNS" (sshd refuses to start)',
    },
    { file: '/etc/ssh/sshd_config', line: 5, message: 'UseDNS: unterminated quote (sshd refuses to start)' },
    { file: '/etc/ssh/sshd_config', line: 6, message: 'a line cannot start with "="' },
  ])
})
