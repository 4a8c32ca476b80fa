import assert from 'node:assert/strict'
import { test } from 'node:test'
import { expandMacro, parseMacroFile } from '../../../../src/facts/packages/rpm/rpm-macros.ts'

const el9 = `# comment
%_usr\t\t\t/usr
%_var\t\t\t/var
%_dbpath\t\t%{_var}/lib/rpm
%_db_backend\t      sqlite
%__multiline() %{expand:\\
  line two}
%_keyringpath\t\t%{_dbpath}/pubkeys/
%_optional\t\t%{?_undefined_thing}/x
%_shell\t\t%(echo /bin/sh)
`

test('simple definitions are read; parametric macros are not', () => {
  const definitions = new Map(parseMacroFile(el9))
  assert.equal(definitions.get('_dbpath'), '%{_var}/lib/rpm')
  assert.equal(definitions.get('_db_backend'), 'sqlite')
  assert.equal(definitions.has('__multiline'), false)
})

test('expansion follows plain references and refuses to guess at the rest', () => {
  const definitions = new Map(parseMacroFile(el9))
  assert.equal(expandMacro(definitions, '_dbpath'), '/var/lib/rpm')
  assert.equal(expandMacro(definitions, '_keyringpath'), '/var/lib/rpm/pubkeys/')
  assert.equal(expandMacro(definitions, '_optional'), '/x')
  assert.equal(expandMacro(definitions, '_shell'), undefined)
  assert.equal(expandMacro(definitions, '_nothing'), undefined)
})

test('a macro that refers to itself ends', () => {
  assert.equal(expandMacro(new Map([['_loop', '%{_loop}x']]), '_loop'), undefined)
})

test('a macro that refers to itself many times over ends quickly', () => {
  assert.equal(expandMacro(new Map([['_bomb', '%{_bomb}'.repeat(20)]]), '_bomb'), undefined)
})
