import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { openHost } from '../../host/host.ts'
import { hostGlob } from './host-glob.ts'

let root: string
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'preflight-glob-'))
  await mkdir(path.join(root, 'etc/ssh/sshd_config.d/sub'), { recursive: true })
  await mkdir(path.join(root, 'etc/ssh/other.d'), { recursive: true })
  for (const name of [
    '10-a.conf',
    '2-b.conf',
    'B.conf',
    '.hidden.conf',
    'x.conf.bak',
    'a[1].conf',
    'c?.conf',
  ]) {
    await writeFile(path.join(root, 'etc/ssh/sshd_config.d', name), '')
  }
  await writeFile(path.join(root, 'etc/ssh/other.d/z.conf'), '')
})
after(() => rm(root, { recursive: true, force: true }))

/** The shell's own glob (C locale: byte order), relative to the root. */
function shellGlob(pattern: string): string[] {
  const out = execFileSync(
    '/bin/sh',
    ['-c', `cd "$1" && for f in ${pattern}; do [ -e "$f" ] && echo "/$f"; done; true`, 'sh', root],
    {
      encoding: 'utf8',
      env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' },
    },
  )
  return out.split('\n').filter(Boolean)
}

test('matches what the shell expands, in byte order', async () => {
  const host = openHost({ root })
  for (const pattern of [
    'etc/ssh/sshd_config.d/*.conf',
    'etc/ssh/sshd_config.d/*',
    'etc/ssh/sshd_config.d/.*.conf',
    'etc/ssh/sshd_config.d/[0-9]*',
    'etc/ssh/sshd_config.d/[!0-9]*.conf',
    'etc/ssh/sshd_config.d/?-b.conf',
    'etc/ssh/*.d/*.conf',
    'etc/ssh/sshd_config.d/nothing*.conf',
    'etc/ssh/sshd_config.d/2-b.conf',
  ]) {
    assert.deepEqual(await hostGlob(host, `/${pattern}`), shellGlob(pattern), pattern)
  }
})

test('a literal path that does not exist matches nothing; escapes make magic characters literal', async () => {
  const host = openHost({ root })
  assert.deepEqual(await hostGlob(host, '/etc/ssh/missing.conf'), [])
  assert.deepEqual(await hostGlob(host, '/etc/ssh/sshd_config.d/a\\[1\\].conf'), [
    '/etc/ssh/sshd_config.d/a[1].conf',
  ])
  assert.deepEqual(await hostGlob(host, '/etc/ssh/sshd_config.d/c\\?.conf'), [
    '/etc/ssh/sshd_config.d/c?.conf',
  ])
})
