import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { build } from 'esbuild'
import { openHost } from './host.ts'

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex')

describe('Host.inspectFiles', () => {
  let outside: string
  let root: string

  before(async () => {
    outside = await mkdtemp(path.join(tmpdir(), 'preflight-inspect-'))
    root = path.join(outside, 'root')
    await mkdir(path.join(root, 'etc'), { recursive: true })
    await mkdir(path.join(root, 'usr/share/doc'), { recursive: true })
    await writeFile(path.join(outside, 'secret'), 'outside the root\n')
    await writeFile(path.join(root, 'secret'), 'inside the root\n')
    await writeFile(path.join(root, 'etc/plain.conf'), 'plain\n')
    await writeFile(path.join(root, 'etc/big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 7))
    await link(path.join(root, 'etc/plain.conf'), path.join(root, 'etc/hardlink.conf'))
    // Absolute and climbing links: on the assessed system they mean ROOT/secret.
    await symlink('/secret', path.join(root, 'etc/absolute'))
    await symlink('../../../../../../secret', path.join(root, 'etc/climbing'))
    await symlink('/nowhere', path.join(root, 'etc/dangling'))
    await symlink(Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9]), path.join(root, 'etc/latin1-target'))
    await symlink('/', path.join(root, 'usr/share/doc/escape'))
    await writeFile(path.join(root, 'etc/not-a-dir'), 'x')
    execFileSync('mkfifo', [path.join(root, 'etc/fifo')])
    // A whole second past 1700000000 minus one nanosecond: mtimeMs rounds it up to the next second.
    execFileSync('touch', ['-h', '-d', '@1700000000.999999999', path.join(root, 'etc/plain.conf')])
  })
  after(() => rm(outside, { recursive: true, force: true }))

  test('lstat without following the last link; digests only where asked; results in request order', async () => {
    const host = openHost({ root })
    const paths = ['/etc/plain.conf', '/etc/absolute', '/etc/missing', '/etc', '/etc/big.bin']
    const found = await host.inspectFiles(paths, (_index, stat) => (stat.kind === 'file' ? 'md5' : undefined))
    assert.deepEqual(
      found.map((f) => f.stat?.kind ?? f.error),
      ['file', 'symlink', 'ENOENT', 'directory', 'file'],
    )
    assert.equal(found[0]?.digest, md5('plain\n'))
    assert.equal(found[1]?.digest, undefined)
    assert.equal(found[1]?.linkTarget?.toString(), '/secret')
    assert.equal(found[4]?.digest, md5(Buffer.alloc(3 * 1024 * 1024 + 17, 7)))
    assert.equal(found[0]?.stat?.mtimeSeconds, 1_700_000_000)
  })

  test('a symlink chosen for hashing is followed inside the root, never out of it', async () => {
    const host = openHost({ root })
    const found = await host.inspectFiles(['/etc/absolute', '/etc/climbing', '/etc/dangling'], () => 'sha256')
    const inside = createHash('sha256').update('inside the root\n').digest('hex')
    assert.equal(found[0]?.digest, inside)
    assert.equal(found[1]?.digest, inside)
    assert.equal(found[2]?.digest, undefined)
    assert.equal(found[2]?.digestError, 'ENOENT')
  })

  test('parent directories that are links resolve inside the root', async () => {
    const host = openHost({ root })
    const [secret] = await host.inspectFiles(['/usr/share/doc/escape/secret'], () => 'md5')
    assert.equal(secret?.digest, md5('inside the root\n'))
  })

  test('what cannot be hashed says why; a FIFO never blocks', async () => {
    const host = openHost({ root })
    const found = await host.inspectFiles(
      ['/etc', '/etc/fifo', '/etc/not-a-dir/child', '/etc/plain.conf'],
      (i) => (i === 3 ? 'no-such-digest' : 'md5'),
    )
    assert.equal(found[0]?.digestError, 'EISDIR')
    assert.equal(found[1]?.stat?.kind, 'other')
    assert.equal(found[1]?.digestError, 'EINVAL')
    assert.equal(found[2]?.error, 'ENOTDIR')
    assert.ok(found[3]?.digestError, 'an unknown algorithm is an error, not a crash')
  })

  test('link targets are bytes; hard links of one inode get the same digest', async () => {
    const host = openHost({ root })
    const found = await host.inspectFiles(
      ['/etc/latin1-target', '/etc/plain.conf', '/etc/hardlink.conf'],
      (i) => (i === 0 ? undefined : 'md5'),
    )
    assert.deepEqual(found[0]?.linkTarget, Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9]))
    assert.equal(found[1]?.stat?.nlink, 2)
    assert.equal(found[1]?.digest, md5('plain\n'))
    assert.equal(found[2]?.digest, md5('plain\n'))
  })

  test('names that are not UTF-8 are looked at byte for byte, behind links, inside the root', async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1')
    const real = (hostPath: string) => Buffer.concat([Buffer.from(root), latin1(hostPath)])
    await mkdir(real('/etc/caf\xe9.d'))
    await writeFile(real('/etc/caf\xe9'), 'latin-1 name\n')
    await writeFile(real('/etc/caf\xe9.d/menu'), 'in a latin-1 directory\n')
    await symlink('/etc', path.join(root, 'usr/share/doc/etc-link'))
    await symlink(latin1('/secret'), real('/etc/\xe9chappe'))
    const host = openHost({ root })
    const found = await host.inspectFiles(
      [
        latin1('/usr/share/doc/etc-link/caf\xe9'),
        latin1('/usr/share/doc/etc-link/caf\xe9.d/menu'),
        latin1('/etc/\xe9chappe'),
        latin1('/etc/cafe'),
        '/etc/plain.conf',
      ],
      () => 'md5',
    )
    assert.deepEqual(
      found.map((f) => [f.stat?.kind ?? f.error, f.stat?.size, f.digest]),
      [
        ['file', 13, md5('latin-1 name\n')],
        ['file', 23, md5('in a latin-1 directory\n')],
        ['symlink', 7, md5('inside the root\n')],
        ['ENOENT', undefined, undefined],
        ['file', 6, md5('plain\n')],
      ],
    )
    assert.equal((await host.stat(latin1('/usr/share/doc/etc-link/caf\xe9')))?.size, 13)
    const [live] = await openHost().inspectFiles([real('/etc/caf\xe9')], () => 'sha256')
    assert.equal(live?.digest, createHash('sha256').update('latin-1 name\n').digest('hex'))
  })

  test('many files at once on the live host', async () => {
    const host = openHost()
    const paths = Array.from({ length: 600 }, (_, i) =>
      i % 2 ? path.join(root, 'etc/plain.conf') : '/etc/passwd',
    )
    const found = await host.inspectFiles(paths, () => 'md5')
    assert.equal(found.length, 600)
    assert.equal(found[1]?.digest, md5('plain\n'))
    assert.ok(found.every((f) => f.digest !== undefined))
  })

  test('the worker survives bundling (the CLI ships as one esbuild file)', async () => {
    const entry = path.join(outside, 'entry.ts')
    const bundled = path.join(outside, 'bundled.mjs')
    const hostModule = path.join(import.meta.dirname, 'host.ts')
    await writeFile(
      entry,
      `import { openHost } from ${JSON.stringify(hostModule)}\n` +
        `const [found] = await openHost({ root: ${JSON.stringify(root)} }).inspectFiles(['/secret'], () => 'md5')\n` +
        'console.log(found.digest ?? found.digestError)\n',
    )
    await build({
      entryPoints: [entry],
      outfile: bundled,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    })
    const out = execFileSync(process.execPath, [bundled], { encoding: 'utf8' })
    assert.equal(out.trim(), md5('inside the root\n'))
  })

  test('MD5s of files of every awkward length match OpenSSL (eight lanes, blocks, padding, slices)', async () => {
    const sizes = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 129, 1000, 131_071, 131_072, 131_073]
    sizes.push(262_151, 1_048_579, 3 * 131_072 + 60)
    await mkdir(path.join(root, 'sizes'), { recursive: true })
    const contents = sizes.map((size, i) => {
      const bytes = Buffer.alloc(size)
      for (let at = 0; at < size; at++) bytes[at] = (at * 31 + i * 7) & 0xff
      return bytes
    })
    await Promise.all(contents.map((bytes, i) => writeFile(path.join(root, `sizes/${i}`), bytes)))
    const host = openHost({ root })
    // Several calls at once, as the verify engine makes them, so lanes mix files of several batches.
    const calls = [0, 1, 2].map(() =>
      host.inspectFiles(
        sizes.map((_, i) => `/sizes/${i}`),
        () => 'md5',
      ),
    )
    for (const found of await Promise.all(calls)) {
      assert.deepEqual(
        found.map((f) => f.digest),
        contents.map((bytes) => md5(bytes)),
      )
    }
  })
})
