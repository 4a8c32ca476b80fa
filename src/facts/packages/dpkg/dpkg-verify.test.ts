import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  appendFile,
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import { parseDpkgStatus } from './dpkg-status.ts'
import { dpkgVerify } from './dpkg-verify.ts'

// The oracle is the real dpkg of this machine, run on a copy of some of its own packages (a
// temporary root with their status stanzas, info files and files) that the test then damages.
// Nothing of the real system is modified.

const candidates = [
  'base-files',
  'bash',
  'dash',
  'libc6',
  'sed',
  'login',
  'passwd',
  'tar',
  'gzip',
  'grep',
  'hostname',
]
const hostStatus = '/var/lib/dpkg/status'
const haveDpkg = existsSync('/usr/bin/dpkg') && existsSync(hostStatus)

async function copyEntry(source: string, target: string): Promise<void> {
  const info = await lstat(source).catch(() => undefined)
  if (!info || (await lstat(target).catch(() => undefined))) return
  await mkdir(path.dirname(target), { recursive: true })
  if (info.isDirectory()) await mkdir(target, { mode: info.mode & 0o7777 })
  else if (info.isSymbolicLink()) await symlink(await readlink(source), target)
  else if (info.isFile()) {
    await copyFile(source, target)
    await chmod(target, info.mode & 0o7777)
  }
}

/** A root holding `names` as this machine has them installed; returns the names found. */
async function buildRoot(root: string, names: string[]): Promise<string[]> {
  const status = await readFile(hostStatus, 'utf8')
  const stanzas = status.split(/\n\n+/).filter((stanza) => {
    const name = /^Package: (.*)$/m.exec(stanza)?.[1]
    return name !== undefined && names.includes(name) && /^Status: install ok installed$/m.test(stanza)
  })
  const { packages } = parseDpkgStatus(`${stanzas.join('\n\n')}\n`)
  const admin = path.join(root, 'var/lib/dpkg')
  await mkdir(path.join(admin, 'info'), { recursive: true })
  await writeFile(path.join(admin, 'status'), `${stanzas.join('\n\n')}\n`)
  await copyFile('/var/lib/dpkg/info/format', path.join(admin, 'info/format')).catch(() => undefined)
  // Keep the merged-/usr layout: /bin → usr/bin and friends, as on the host.
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const info = await lstat(`/${top}`).catch(() => undefined)
    if (!info?.isSymbolicLink()) continue
    const target = await readlink(`/${top}`)
    await mkdir(path.join(root, path.dirname(`/${top}`), target), { recursive: true })
    await symlink(target, path.join(root, top))
  }
  const diversions = (await readFile('/var/lib/dpkg/diversions', 'utf8').catch(() => '')).split('\n')
  const kept: string[] = []
  for (let at = 0; at + 2 < diversions.length; at += 3) {
    if (packages.some((pkg) => pkg.name === diversions[at + 2])) kept.push(...diversions.slice(at, at + 3))
  }
  await writeFile(path.join(admin, 'diversions'), kept.map((line) => `${line}\n`).join(''))
  for (const pkg of packages) {
    const base = pkg.multiArch === 'same' ? `${pkg.name}:${pkg.arch}` : pkg.name
    for (const kind of ['list', 'md5sums', 'conffiles']) {
      await copyFile(`/var/lib/dpkg/info/${base}.${kind}`, path.join(admin, `info/${base}.${kind}`)).catch(
        () => undefined,
      )
    }
    const list = await readFile(`/var/lib/dpkg/info/${base}.list`, 'utf8')
    for (const listed of list.split('\n').filter(Boolean)) await copyEntry(listed, path.join(root, listed))
  }
  return packages.map((pkg) => pkg.name)
}

function dpkgLines(root: string, names: string[]): string[] {
  const out = execFileSync('dpkg', [`--root=${root}`, '--verify', ...names], { encoding: 'utf8' })
  return out.split('\n').filter(Boolean)
}

async function ourLines(root: string, names?: string[]): Promise<string[]> {
  const host = openHost({ root })
  const { packages } = parseDpkgStatus((await host.readText('/var/lib/dpkg/status')) ?? '')
  const result = await dpkgVerify(host, packages, names ? { select: names } : {})
  return result.verdicts.map((verdict) => verdict.line)
}

describe('dpkg --verify as the oracle', { skip: !haveDpkg && 'needs dpkg and a dpkg database' }, () => {
  let scratch: string
  let root: string
  let names: string[]

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'preflight-dpkg-verify-'))
    root = path.join(scratch, 'root')
    names = await buildRoot(root, candidates)
  })
  after(() => rm(scratch, { recursive: true, force: true }))

  test('an untouched copy verifies clean with both', async () => {
    assert.ok(
      names.length >= 5,
      `expected most of ${candidates.join(', ')} installed, found ${names.join(', ')}`,
    )
    assert.deepEqual(dpkgLines(root, names), [])
    assert.deepEqual(await ourLines(root, names), [])
  })

  test('after damage, the same lines in the same order as dpkg --verify', async () => {
    const at = (p: string) => path.join(root, p)
    const exists = async (p: string) => (await lstat(at(p)).catch(() => undefined)) !== undefined
    /** The path a package lists for an executable (`/bin/sed` or `/usr/bin/sed`, as the package says). */
    const listed = async (pkg: string, name: string) => {
      const list = await readFile(at(`/var/lib/dpkg/info/${pkg}.list`), 'utf8').catch(() => '')
      return list.split('\n').find((line) => /^(\/usr)?\/s?bin\//.test(line) && path.basename(line) === name)
    }
    // A conffile edited, another deleted (dpkg marks both c).
    if (await exists('/etc/bash.bashrc')) await appendFile(at('/etc/bash.bashrc'), 'alias ll="ls -l"\n')
    if (await exists('/etc/login.defs')) await unlink(at('/etc/login.defs'))
    // Same size, different bytes; a file deleted; a file made a symlink to a copy of itself and
    // another to a different file; a dangling symlink; a mode change dpkg does not look at.
    const sed = await listed('sed', 'sed')
    if (sed) {
      const bytes = await readFile(at(sed))
      bytes[100] = (bytes[100] ?? 0) ^ 0xff
      await writeFile(at(sed), bytes)
    }
    await unlink(at('/usr/share/doc/sed/copyright')).catch(() => undefined)
    const grep = await listed('grep', 'grep')
    if (grep) {
      await copyFile(at(grep), `${at(grep)}.copy`)
      await unlink(at(grep))
      await symlink(`${path.basename(grep)}.copy`, at(grep))
    }
    const egrep = await listed('grep', 'egrep')
    if (egrep) {
      await unlink(at(egrep))
      await symlink(grep ?? '/etc/passwd', at(egrep))
    }
    const hostname = await listed('hostname', 'hostname')
    if (hostname) {
      await unlink(at(hostname))
      await symlink('/etc/hostname-does-not-exist', at(hostname))
    }
    const tar = await listed('tar', 'tar')
    if (tar) await chmod(at(tar), 0o700)
    // A documentation directory turned into a file: its children are "missing (Not a directory)".
    if (await exists('/usr/share/doc/gzip')) {
      await rm(at('/usr/share/doc/gzip'), { recursive: true })
      await writeFile(at('/usr/share/doc/gzip'), 'not a directory\n')
    }
    // A wrong recorded digest; a local diversion whose target is missing, and one whose file moved.
    if (await exists('/var/lib/dpkg/info/passwd.md5sums')) {
      const md5sums = at('/var/lib/dpkg/info/passwd.md5sums')
      const text = await readFile(md5sums, 'utf8')
      await writeFile(
        md5sums,
        text.replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0')),
      )
    }
    const gzip = await listed('gzip', 'gzip')
    if (gzip) await appendFile(at('/var/lib/dpkg/diversions'), `${gzip}\n${gzip}.distrib\n:\n`)
    const gunzip = await listed('gzip', 'gunzip')
    if (gunzip) {
      await appendFile(at('/var/lib/dpkg/diversions'), `${gunzip}\n${gunzip}.distrib\n:\n`)
      await rename(at(gunzip), at(`${gunzip}.distrib`))
    }

    const expected = dpkgLines(root, names)
    assert.ok(expected.length >= 6, `dpkg found only: ${expected.join(' | ')}`)
    assert.deepEqual(await ourLines(root, names), expected)
  })

  test('all packages at once: the same set of lines (dpkg orders packages by its hash table)', async () => {
    const out = execFileSync('dpkg', [`--root=${root}`, '--verify'], { encoding: 'utf8' })
    const expected = out.split('\n').filter(Boolean).sort()
    assert.deepEqual((await ourLines(root)).sort(), expected)
  })

  test('a package that is not installed is reported, like dpkg', async () => {
    const host = openHost({ root })
    const { packages } = parseDpkgStatus((await host.readText('/var/lib/dpkg/status')) ?? '')
    const result = await dpkgVerify(host, packages, { select: ['no-such-package', names[0] as string] })
    assert.deepEqual(result.notInstalled, ['no-such-package'])
  })
})
