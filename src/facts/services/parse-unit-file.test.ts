import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applyInstallSection, emptyInstallSection, parseUnitFile } from './parse-unit-file.ts'

test('assignments keep their section and the line they start on; continuations skip comment lines', () => {
  const { entries, warnings } = parseUnitFile(
    '\ufeff[Unit]\r\nDescription=OpenSSH server\n; comment\n[Install]\nWantedBy=multi-user.target \\\n# inside\n  graphical.target\nAlias=sshd.service\n',
    '/lib/systemd/system/ssh.service',
  )
  assert.deepEqual(warnings, [])
  assert.deepEqual(entries, [
    { section: 'Unit', key: 'Description', value: 'OpenSSH server', line: 2 },
    { section: 'Install', key: 'WantedBy', value: 'multi-user.target    graphical.target', line: 5 },
    { section: 'Install', key: 'Alias', value: 'sshd.service', line: 8 },
  ])
})

test('an escaped backslash does not continue the line', () => {
  const { entries } = parseUnitFile('[Service]\nExecStart=/bin/echo a\\\\\nUser=nobody\n', 'x.service')
  assert.deepEqual(
    entries.map((entry) => entry.key),
    ['ExecStart', 'User'],
  )
})

test('malformed lines are warnings with file and line', () => {
  const { entries, warnings } = parseUnitFile(
    'Orphan=1\n[Install\nWantedBy=a.target\n[Install]\nthis is not an assignment\n',
    '/etc/systemd/system/x.service',
  )
  assert.deepEqual(entries, [])
  assert.deepEqual(warnings, [
    { file: '/etc/systemd/system/x.service', line: 1, message: 'assignment outside of any section' },
    { file: '/etc/systemd/system/x.service', line: 2, message: "invalid section header '[Install'" },
    { file: '/etc/systemd/system/x.service', line: 3, message: 'assignment outside of any section' },
    { file: '/etc/systemd/system/x.service', line: 5, message: "missing '=' in 'this is not an assignment'" },
  ])
})

test('[Install] lists accumulate across files, an empty assignment clears them', () => {
  const install = emptyInstallSection()
  const main = parseUnitFile(
    '[Install]\nWantedBy=a.target b.target\nAlias=x.service\nAlso=y.service\n',
    'main',
  )
  const dropIn = parseUnitFile('[Install]\nWantedBy=\nWantedBy=c.target\nDefaultInstance=tty1\n', 'drop-in')
  applyInstallSection(install, main.entries, 'getty@.service')
  applyInstallSection(install, dropIn.entries, 'getty@.service')
  assert.deepEqual(install, {
    aliases: ['x.service'],
    wantedBy: ['c.target'],
    requiredBy: [],
    also: ['y.service'],
    defaultInstance: 'tty1',
  })
})

test('Alias= of a unit type that cannot be aliased is ignored, as systemd does', () => {
  const install = emptyInstallSection()
  applyInstallSection(install, parseUnitFile('[Install]\nAlias=other.mount\n', 'm').entries, 'data.mount')
  assert.deepEqual(install.aliases, [])
})
