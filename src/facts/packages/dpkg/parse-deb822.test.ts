import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDeb822 } from './parse-deb822.ts'

test('stanzas, continuation lines and case-insensitive field names', () => {
  const { stanzas, warnings } = parseDeb822(
    'Package: a\r\nDescription: short\n long one\n .\n\tand tab\n\n  \nPACKAGE: b\nversion: 1\n',
    'status',
  )
  assert.deepEqual(warnings, [])
  assert.equal(stanzas.length, 2)
  assert.deepEqual(stanzas[0]?.fields.get('description'), {
    name: 'Description',
    value: 'short',
    continuation: ['long one', '.', 'and tab'],
    line: 2,
  })
  assert.equal(stanzas[1]?.line, 8)
  assert.equal(stanzas[1]?.fields.get('package')?.name, 'PACKAGE')
  assert.equal(stanzas[1]?.fields.get('version')?.value, '1')
})

test('malformed lines are warnings with file and line; a rejected field takes its continuation with it', () => {
  const { stanzas, warnings } = parseDeb822(
    ' orphan continuation\nPackage: a\nPackage: again\n still the duplicate\nno colon here\nVersion: 2\n',
    '/var/lib/dpkg/status',
  )
  assert.deepEqual(warnings, [
    { file: '/var/lib/dpkg/status', line: 1, message: 'continuation line without a field before it' },
    { file: '/var/lib/dpkg/status', line: 3, message: "duplicate field 'Package' (the first one is kept)" },
    { file: '/var/lib/dpkg/status', line: 5, message: "expected 'Field: value', found 'no colon here'" },
  ])
  assert.equal(stanzas[0]?.fields.get('package')?.value, 'a')
  assert.equal(stanzas[0]?.fields.get('version')?.value, '2')
})
