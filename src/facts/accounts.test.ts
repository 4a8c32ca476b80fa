import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'
import { openHost } from '../host/host.ts'
import { parseGroup, parsePasswd, users } from './accounts.ts'

test('passwd lines become users; malformed lines are warnings with file and line', () => {
  const { entries, warnings } = parsePasswd(
    'root:x:0:0:root:/root:/bin/bash\n# comment\n+nisuser::::::\nbroken:x:12\nbad:x:abc:0::/home/bad:/bin/sh\n',
  )
  assert.deepEqual(entries, [
    { name: 'root', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/bash' },
  ])
  assert.deepEqual(warnings, [
    { file: '/etc/passwd', line: 4, message: 'expected 7 colon-separated fields, found 3' },
    { file: '/etc/passwd', line: 5, message: "uid 'abc' is not a number" },
  ])
})

test('group members are split on commas', () => {
  const { entries } = parseGroup('wheel:x:10:alice,bob\nusers:x:100:\n')
  assert.deepEqual(entries, [
    { name: 'wheel', gid: 10, members: ['alice', 'bob'] },
    { name: 'users', gid: 100, members: [] },
  ])
})

test('the live users equal getent passwd on this machine (files only)', async () => {
  const collected = await users.collect({ host: openHost(), progress: () => {} }, {})
  const getent = execFileSync('getent', ['-s', 'files', 'passwd'], { encoding: 'utf8' })
  assert.deepEqual(
    collected.users.map((u) => `${u.name}:${u.uid}:${u.home}`),
    getent
      .trim()
      .split('\n')
      .map((l) => l.split(':'))
      .map((f) => `${f[0]}:${f[2]}:${f[5]}`),
  )
})
