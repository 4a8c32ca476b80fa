import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from './host.ts'
import { assertLinuxRoot, NotALinuxRootError } from './validate-root.ts'

describe('offline root host', () => {
  let outside: string
  let root: string

  before(async () => {
    outside = await mkdtemp(path.join(tmpdir(), 'preflight-host-'))
    root = path.join(outside, 'root')
    await mkdir(path.join(root, 'etc/alternatives'), { recursive: true })
    await mkdir(path.join(root, 'usr/share'), { recursive: true })
    await writeFile(path.join(outside, 'secret'), 'host file outside the root\n')
    await writeFile(path.join(root, 'secret'), 'the root own secret\n')
    await writeFile(path.join(root, 'etc/real.conf'), 'inside\n')
    // Absolute link: on the assessed system it means ROOT/etc/real.conf, never the host's /etc.
    await symlink('/etc/real.conf', path.join(root, 'etc/absolute-link'))
    await symlink('../../../../../../secret', path.join(root, 'etc/climbing-link'))
    await symlink('../secret', path.join(root, 'etc/relative-link'))
    await symlink('/etc', path.join(root, 'etc/alternatives/etc-dir'))
    await symlink('loop-b', path.join(root, 'etc/loop-a'))
    await symlink('loop-a', path.join(root, 'etc/loop-b'))
    await symlink('/nowhere', path.join(root, 'etc/dangling'))
  })
  after(() => rm(outside, { recursive: true, force: true }))

  test('an absolute symlink resolves inside the root', async () => {
    const host = openHost({ root })
    assert.equal(await host.readText('/etc/absolute-link'), 'inside\n')
    assert.equal(await host.resolve('/etc/absolute-link'), path.join(root, 'etc/real.conf'))
  })

  test('.. in a link target never climbs above the root', async () => {
    const host = openHost({ root })
    assert.equal(await host.readText('/etc/climbing-link'), 'the root own secret\n')
    assert.equal(await host.readText('/etc/relative-link'), 'the root own secret\n')
    assert.equal(await host.readText('/../../secret'), 'the root own secret\n')
  })

  test('directory links in the middle of a path are followed inside the root', async () => {
    const host = openHost({ root })
    assert.equal(await host.readText('/etc/alternatives/etc-dir/real.conf'), 'inside\n')
  })

  test('absent files and dangling links are undefined, not errors', async () => {
    const host = openHost({ root })
    assert.equal(await host.readText('/etc/missing'), undefined)
    assert.equal(await host.readText('/etc/dangling'), undefined)
    assert.equal(await host.readText('/etc/real.conf/child'), undefined)
    assert.equal(await host.readDir('/nope'), undefined)
  })

  test('a symlink loop is an error naming the host path', async () => {
    const host = openHost({ root })
    await assert.rejects(host.readText('/etc/loop-a'), /\/etc\/loop-a: too many levels of symbolic links/)
  })

  test('lstat and readLink see the link itself', async () => {
    const host = openHost({ root })
    assert.equal((await host.lstat('/etc/absolute-link'))?.kind, 'symlink')
    assert.equal((await host.stat('/etc/absolute-link'))?.kind, 'file')
    assert.equal(await host.readLink('/etc/absolute-link'), '/etc/real.conf')
    assert.equal(await host.readLink('/etc/real.conf'), undefined)
  })

  test('readDir lists entries sorted with their kinds', async () => {
    const host = openHost({ root })
    const entries = await host.readDir('/etc')
    assert.deepEqual(
      entries?.map((e) => e.name),
      [
        'absolute-link',
        'alternatives',
        'climbing-link',
        'dangling',
        'loop-a',
        'loop-b',
        'real.conf',
        'relative-link',
      ],
    )
    assert.equal(entries?.find((e) => e.name === 'alternatives')?.kind, 'directory')
  })

  test('reading a directory as a file is an error naming the host path', async () => {
    const host = openHost({ root })
    await assert.rejects(host.readText('/etc'), /^HostPathError: \/etc: is a directory/)
  })

  test('a directory without /etc is not a Linux root', async () => {
    await assertLinuxRoot(openHost({ root }))
    await assert.rejects(assertLinuxRoot(openHost({ root: path.join(root, 'usr') })), NotALinuxRootError)
    await assert.rejects(assertLinuxRoot(openHost({ root: path.join(outside, 'nope') })), /no such directory/)
  })
})

test('the live host reads the real /', async () => {
  const host = openHost()
  assert.equal(host.live, true)
  assert.match((await host.readText('/etc/passwd')) ?? '', /^root:/)
})
