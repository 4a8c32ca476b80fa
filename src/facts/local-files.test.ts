// Files no package owns, against the package managers' own lists: the Preupgrade Assistant's way
// (every path `find` prints that is not in `rpm -qal`, the packaged paths' directories resolved by
// coreutils' realpath as a walk meets them) on an EL root built with rpmbuild, and `dpkg -S` on
// this machine's /etc.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type BuiltElroot, buildElroot } from '../../test/helpers/build-elroot.ts'
import { openHost } from '../host/host.ts'
import { executableFiles } from './executable-files.ts'
import {
  collectLocalFiles,
  defaultLocalFileScan,
  globPattern,
  type LocalFiles,
  mountPointsOfTypes,
} from './local-files.ts'

const rpmDatabase = { format: 'rpm' as const, path: '/var/lib/rpm/rpmdb.sqlite' }
const expectedPatterns = defaultLocalFileScan.expected.map((rule) => globPattern(rule.glob))

/** Matched by an expected rule, or below an entry that is (the walk does not enter those). */
function isExpected(hostPath: string): boolean {
  for (let at = hostPath; at !== '/'; at = path.posix.dirname(at))
    if (expectedPatterns.some((pattern) => pattern.test(at))) return true
  return false
}
const gather = (root: string) => ({ host: openHost({ root }), progress() {} })

/** Writes `text` at `hostPath` in `root`, with `mode`. */
function put(root: string, hostPath: string, text: string, mode = 0o644): void {
  const real = path.join(root, hostPath)
  mkdirSync(path.dirname(real), { recursive: true })
  writeFileSync(real, text)
  chmodSync(real, mode)
}

/**
 * How a walk should report the not-owned set `notOwned`: each entry whose directory is owned, and
 * for a directory among them how many not-owned entries are below it.
 */
function asListed(notOwned: readonly string[]): { path: string; entriesBelow?: number }[] {
  const set = new Set(notOwned)
  const top = notOwned.filter((hostPath) => !set.has(path.posix.dirname(hostPath))).sort()
  return top.map((hostPath) => {
    const below = notOwned.filter((other) => other.startsWith(`${hostPath}/`)).length
    return below > 0 ? { path: hostPath, entriesBelow: below } : { path: hostPath }
  })
}

/** Our listing in plain string order (the walk's own order is depth first). */
function ourListing(local: LocalFiles): { path: string; entriesBelow?: number }[] {
  return local.listed
    .map(({ path: hostPath, entriesBelow }) =>
      entriesBelow ? { path: hostPath, entriesBelow } : { path: hostPath },
    )
    .sort((a, b) => (a.path < b.path ? -1 : 1))
}

describe('on an EL root built with rpmbuild', () => {
  let elroot: BuiltElroot
  let root: string
  before(() => {
    elroot = buildElroot({
      prepare: (empty) => {
        // EL6's layout: /etc/init.d is a link to rc.d/init.d
        mkdirSync(path.join(empty, 'etc/rc.d/init.d'), { recursive: true })
        symlinkSync('rc.d/init.d', path.join(empty, 'etc/init.d'))
      },
    })
    root = elroot.root
    put(root, '/etc/elroot/local.conf', 'mine = yes\n')
    put(root, '/etc/custom/a.conf', 'a\n')
    put(root, '/etc/custom/sub/b.conf', 'b\n')
    mkdirSync(path.join(root, 'etc/alternatives'))
    symlinkSync('/usr/bin/vi', path.join(root, 'etc/alternatives/editor'))
    put(root, '/etc/rc.d/init.d/local-svc', '#!/bin/bash\nexit 0\n', 0o755)
    put(root, '/usr/local/bin/report.py', '#!/usr/bin/python2 -u\nprint "hi"\n', 0o755)
    mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true })
    copyFileSync('/bin/true', path.join(root, 'usr/local/sbin/true-copy'))
    put(root, '/opt/vendor-app/bin/run', '#!/bin/sh\nexec true\n', 0o755)
    put(root, '/opt/vendor-app/lib/data.bin', 'data')
    put(root, '/srv/www/index.html', '<p>hi</p>\n')
  })
  after(() => elroot.remove())

  test('finds what find lists and rpm -qal does not', async () => {
    const local = await collectLocalFiles(gather(root), rpmDatabase, {
      ...defaultLocalFileScan,
      maxListed: 10_000,
    })
    const everything = execFileSync('find', ['etc', 'opt', 'srv', 'usr/local', '-mindepth', '1'], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((relative) => `/${relative}`)
    const packaged = elroot.rpm('-qal').trim().split('\n')
    const directories = execFileSync(
      'realpath',
      ['-m', ...packaged.map((file) => path.join(root, path.dirname(file)))],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
    const owned = new Set(
      packaged.map((file, index) =>
        path.join(directories[index]?.slice(root.length) || '/', path.basename(file)),
      ),
    )
    assert.ok(owned.has('/etc/rc.d/init.d/elroot-svc'), 'the package names it through /etc/init.d')
    const notOwned = everything.filter((hostPath) => !owned.has(hostPath) && !isExpected(hostPath))
    assert.deepEqual(ourListing(local), asListed(notOwned))
    assert.equal(local.unownedCount, notOwned.length)
  })

  test('lists not-owned directories once, counts per directory and leaves expected entries out', async () => {
    const local = await collectLocalFiles(gather(root), rpmDatabase)
    assert.deepEqual(local.scanned, ['/etc', '/opt', '/srv', '/usr/local'])
    assert.deepEqual(local.absent, ['/var/www'])
    const custom = local.listed.find((entry) => entry.path === '/etc/custom')
    assert.deepEqual(custom, { path: '/etc/custom', kind: 'directory', entriesBelow: 3 })
    assert.ok(!local.listed.some((entry) => entry.path.startsWith('/etc/custom/')))
    assert.deepEqual(
      local.listed.find((entry) => entry.path === '/etc/elroot/local.conf'),
      {
        path: '/etc/elroot/local.conf',
        kind: 'file',
        mode: 0o644,
        size: 11,
      },
    )
    assert.ok(!local.listed.some((entry) => entry.path.startsWith('/etc/alternatives/')))
    assert.deepEqual(local.expected, [
      { glob: '/etc/alternatives/*', why: 'links managed by alternatives / update-alternatives', count: 1 },
    ])
    assert.equal(local.byDirectory.find((entry) => entry.directory === '/opt/vendor-app')?.count, 5)
    assert.equal(local.complete, true)
    assert.deepEqual(local.warnings, [])
  })

  test('tells binaries from scripts among the executables', async () => {
    const local = await collectLocalFiles(gather(root), rpmDatabase)
    const found = await executableFiles.collect(gather(root), { localFiles: local })
    assert.deepEqual(
      found.files.map(({ path: file, type, interpreter }) => ({ file, type, interpreter })),
      [
        { file: '/etc/rc.d/init.d/local-svc', type: 'script', interpreter: '/bin/bash' },
        { file: '/opt/vendor-app/bin/run', type: 'script', interpreter: '/bin/sh' },
        { file: '/usr/local/bin/report.py', type: 'script', interpreter: '/usr/bin/python2 -u' },
        { file: '/usr/local/sbin/true-copy', type: 'elf', interpreter: undefined },
      ],
    )
    assert.equal(found.count, 4)
  })

  test('stops at maxEntries and says the counts are lower bounds', async () => {
    const local = await collectLocalFiles(gather(root), rpmDatabase, {
      ...defaultLocalFileScan,
      maxEntries: 5,
    })
    assert.equal(local.entriesWalked, 5)
    assert.equal(local.complete, false)
    assert.match(local.warnings[0]?.message ?? '', /stopped after 5 entries/)
  })

  test('does not walk excluded subtrees', async () => {
    const local = await collectLocalFiles(gather(root), rpmDatabase, {
      ...defaultLocalFileScan,
      exclude: ['/opt/vendor-app', '/etc/custom/**'],
    })
    assert.ok(!local.byDirectory.some((entry) => entry.directory === '/opt/vendor-app'))
    assert.equal(local.listed.find((entry) => entry.path === '/etc/custom')?.entriesBelow, undefined)
  })
})

describe('on this machine', () => {
  test('agrees with dpkg -S on /etc', async () => {
    const scan = { ...defaultLocalFileScan, include: ['/etc'], maxListed: 100_000 }
    const local = await collectLocalFiles(gather('/'), { format: 'dpkg', path: '/var/lib/dpkg/status' }, scan)
    const everything = execFileSync('find', ['/etc', '-mindepth', '1'], { encoding: 'utf8' })
      .trim()
      .split('\n')
    const candidates = everything.filter((hostPath) => !isExpected(hostPath))
    // dpkg -S takes glob patterns: a path with glob characters would match others
    const plain = candidates.filter((hostPath) => !/[*?[\]\\]/.test(hostPath))
    const dpkgSays = spawnSync('dpkg', ['-S', ...plain], { encoding: 'utf8' }).stderr
    const notOwned = new Set(
      [...dpkgSays.matchAll(/^dpkg-query: no path found matching pattern (.*)$/gm)].map(
        (match) => match[1] as string,
      ),
    )
    // the listing of the paths dpkg could be asked about
    const asked = new Set(plain)
    assert.deepEqual(
      asListed(
        everything.filter(
          (hostPath) => !isExpected(hostPath) && (!asked.has(hostPath) || notOwned.has(hostPath)),
        ),
      ),
      ourListing(local),
    )
  })
})

describe('mountPointsOfTypes', () => {
  test('picks the network and virtual mounts out of /proc/self/mountinfo, escapes decoded', () => {
    const mountinfo = [
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '27 1 253:0 / / rw,relatime - ext4 /dev/vda rw',
      '90 27 0:50 / /srv/nfs\\040share rw,relatime - nfs4 filer:/export rw,vers=4.2',
      '91 27 0:51 / /opt/data rw,relatime shared:1 - xfs /dev/vdb rw',
    ].join('\n')
    assert.deepEqual(
      [...mountPointsOfTypes(mountinfo, defaultLocalFileScan.skipFilesystems)],
      ['/proc', '/srv/nfs share'],
    )
  })
})
