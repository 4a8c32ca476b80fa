import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import { dpkgPrintablePath } from './dpkg-files.ts'
import { parseDpkgStatus } from './dpkg-status.ts'
import { dpkgVerify } from './dpkg-verify.ts'

// The real dpkg as the oracle on a hand-made database whose info files name files that are not
// UTF-8 (Latin-1 é, byte 0xe9), one behind a symlinked directory and one diverted.

const haveDpkg = existsSync('/usr/bin/dpkg')
const latin1 = (text: string) => Buffer.from(text, 'latin1')
const md5 = (bytes: Buffer) => execFileSync('md5sum', { input: bytes, encoding: 'utf8' }).slice(0, 32)

const status = `Package: latin
Status: install ok installed
Version: 1
Architecture: all
Maintainer: Preflight Tests <tests@example.org>
Description: files whose names are not UTF-8
`

/** Files as bytes: path → contents. `/etc/linked` is a symlink to `/etc/sub`. */
const files: [string, string][] = [
  ['/etc/caf\xe9', 'latin-1 name\n'],
  ['/etc/sub/na\xefve', 'behind a link\n'],
  ['/etc/gone\xe9', 'removed later\n'],
  ['/etc/div\xe9.orig', 'diverted\n'],
  ['/etc/a\\x2db', 'backslash in a UTF-8 name\n'],
  ['/etc/caf\xc3\xa9-utf8', 'UTF-8 name\n'],
]
const listed = [
  '/etc/caf\xe9',
  '/etc/linked/na\xefve',
  '/etc/gone\xe9',
  '/etc/div\xe9',
  '/etc/a\\x2db',
  '/etc/caf\xc3\xa9-utf8',
]

/** dpkg --verify's lines as bytes (one latin1 character per byte). */
function dpkgLines(root: string): string[] {
  const out = execFileSync('dpkg', [`--root=${root}`, '--verify', 'latin'])
  return out.toString('latin1').split('\n').filter(Boolean)
}

async function ourLines(root: string): Promise<string[]> {
  const host = openHost({ root })
  const { packages } = parseDpkgStatus((await host.readText('/var/lib/dpkg/status')) ?? '')
  return (await dpkgVerify(host, packages)).verdicts.map((verdict) => verdict.line)
}

/** dpkg's line as ours prints it: the 12 columns before the path as they are, the path bytes made printable. */
const printed = (dpkgLine: string) => dpkgLine.slice(0, 12) + dpkgPrintablePath(dpkgLine.slice(12))

describe('dpkg --verify as the oracle on names that are not UTF-8', {
  skip: !haveDpkg && 'needs dpkg',
}, () => {
  let root: string
  const at = (hostPath: string) => Buffer.concat([Buffer.from(root), latin1(hostPath)])

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-dpkg-latin1-'))
    const admin = path.join(root, 'var/lib/dpkg')
    await mkdir(path.join(admin, 'info'), { recursive: true })
    await mkdir(path.join(root, 'etc/sub'), { recursive: true })
    await symlink('sub', path.join(root, 'etc/linked'))
    for (const [file, text] of files) await writeFile(at(file), text)
    const byListed = (file: string) =>
      file.replace('/linked/', '/sub/').replace('/etc/div\xe9', '/etc/div\xe9.orig')
    const sums = listed.map((file) => {
      const contents = files.find(([name]) => name === byListed(file))?.[1] ?? ''
      return `${md5(latin1(contents))}  ${file.slice(1)}\n`
    })
    await writeFile(path.join(admin, 'status'), status)
    await writeFile(path.join(admin, 'info/format'), '1\n')
    await writeFile(path.join(admin, 'info/latin.list'), latin1(`/.\n/etc\n${listed.join('\n')}\n`))
    await writeFile(path.join(admin, 'info/latin.md5sums'), latin1(sums.join('')))
    await writeFile(path.join(admin, 'diversions'), latin1('/etc/div\xe9\n/etc/div\xe9.orig\n:\n'))
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('untouched: clean with both (no name reported missing)', async () => {
    assert.deepEqual(dpkgLines(root), [])
    assert.deepEqual(await ourLines(root), [])
  })

  test('after damage: the same attributes and path bytes as dpkg', async () => {
    await writeFile(at('/etc/caf\xe9'), 'changed\n')
    await writeFile(at('/etc/sub/na\xefve'), 'changed behind the link\n')
    await unlink(at('/etc/gone\xe9'))
    await unlink(at('/etc/div\xe9.orig'))
    await writeFile(at('/etc/a\\x2db'), 'changed\n')
    await writeFile(at('/etc/caf\xc3\xa9-utf8'), 'changed\n')
    const expected = dpkgLines(root)
    assert.equal(expected.length, 6, expected.join('\n'))
    assert.deepEqual(await ourLines(root), expected.map(printed))
    assert.deepEqual(await ourLines(root), [
      '??5??????   /etc/caf\\xe9',
      '??5??????   /etc/linked/na\\xefve',
      'missing     /etc/gone\\xe9',
      'missing     /etc/div\\xe9.orig',
      '??5??????   /etc/a\\x2db',
      '??5??????   /etc/café-utf8',
    ])
  })
})
