import assert from 'node:assert/strict'
import { test } from 'node:test'
import { tokenizeBirdConfig } from './tokenize-bird-config.ts'

test('comments are skipped; tokens keep kind, line, column and offsets', () => {
  const text =
    '# header\nrouter id 192.0.2.2; /* a\nmulti-line */ hold time 9;\nneighbor 2001:db8::1 as 64500;'
  const { tokens, warnings } = tokenizeBirdConfig(text, '/etc/bird/bird.conf')
  assert.deepEqual(warnings, [])
  assert.deepEqual(
    tokens.map((t) => `${t.kind}:${t.text}@${t.line}:${t.column}`),
    [
      'symbol:router@2:1',
      'symbol:id@2:8',
      'ipv4:192.0.2.2@2:11',
      'punct:;@2:20',
      'symbol:hold@3:15',
      'symbol:time@3:20',
      'number:9@3:25',
      'punct:;@3:26',
      'symbol:neighbor@4:1',
      'ipv6:2001:db8::1@4:10',
      'symbol:as@4:22',
      'number:64500@4:25',
      'punct:;@4:30',
    ],
  )
  for (const token of tokens) {
    if (token.kind !== 'string') assert.equal(text.slice(token.start, token.end), token.text)
  }
})

test('strings, prefixes, sets and two-character operators', () => {
  const { tokens } = tokenizeBirdConfig(
    'interface "lo"; if net ~ [ 10.0.0.0/8{16,24}, ::/0+ ] && x != 1 then accept;',
    'f',
  )
  assert.deepEqual(
    tokens.map((t) => t.text),
    [
      'interface',
      'lo',
      ';',
      'if',
      'net',
      '~',
      '[',
      '10.0.0.0',
      '/',
      '8',
      '{',
      '16',
      ',',
      '24',
      '}',
      ',',
      '::',
      '/',
      '0',
      '+',
      ']',
      '&&',
      'x',
      '!=',
      '1',
      'then',
      'accept',
      ';',
    ],
  )
  assert.equal(tokens[1]?.kind, 'string')
  assert.equal(tokens[16]?.kind, 'ipv6')
})

test('an unterminated comment or string is a warning with its line', () => {
  assert.deepEqual(tokenizeBirdConfig('router id 1.2.3.4;\n/* open', 'f').warnings, [
    { file: 'f', line: 2, message: 'comment opened with /* is never closed (BIRD refuses the file)' },
  ])
  assert.deepEqual(tokenizeBirdConfig('log "x\n;', 'f').warnings, [
    { file: 'f', line: 1, message: 'unterminated string (BIRD refuses the file)' },
  ])
})
