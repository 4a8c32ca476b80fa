import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  appendFile,
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import type { RpmFile } from '../rpm/rpm-package.ts'
import { fileFlags, fileStates, verifyFlags } from '../rpm/tags.ts'
import {
  type AccountIds,
  type RpmVerifyEntry,
  type RpmVerifyOptions,
  rpmVerifyRules,
} from './rpm-verify-file.ts'
import { verifyFiles } from './verify-files.ts'

// rpm's per-file rules (lib/verify.c of rpm 4.18) on hand-made entries: each test records a file
// the way rpm's header would (a snapshot of it as installed), changes the file, and reads the line.
// The elroot suite (rpm-verify.test.ts) checks the common cases against the real rpm.

const everything = 0x1ff
const ids: AccountIds = {
  uid: (name) => ({ nobody: 65534, daemon: 1 })[name],
  gid: (name) => ({ nogroup: 65534, daemon: 1 })[name],
}

describe('rpm verify rules', () => {
  let root: string
  const at = (p: string) => path.join(root, p)

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-rpm-rules-'))
    await mkdir(at('etc/app'), { recursive: true })
    await mkdir(at('usr/bin'), { recursive: true })
  })
  afterEach(() => rm(root, { recursive: true, force: true }))

  /** The header entry rpm would have written for the file as it is now. */
  async function recorded(hostPath: string, overrides: Partial<RpmFile> = {}): Promise<RpmFile> {
    const info = await lstat(at(hostPath))
    const isLink = info.isSymbolicLink()
    const isFile = info.isFile()
    return {
      path: Buffer.from(hostPath),
      digest: isFile
        ? createHash('sha256')
            .update(await readFile(at(hostPath)))
            .digest('hex')
        : '',
      mode: info.mode,
      size: isFile || isLink ? info.size : 0,
      user: 'root',
      group: 'root',
      linkTo: isLink ? Buffer.from(await readlink(at(hostPath))) : Buffer.alloc(0),
      mtime: Math.floor(info.mtimeMs / 1000),
      flags: 0,
      verifyFlags: everything,
      rdev: Number(info.rdev),
      device: 1,
      inode: 1,
      state: fileStates.NORMAL,
      lang: '',
      caps: '',
      ...overrides,
    }
  }

  /** The lines rpm would print; `algorithm` null: an algorithm id rpm does not know. */
  async function lines(
    files: RpmFile[],
    options: RpmVerifyOptions = {},
    algorithm: string | null = 'sha256',
  ) {
    const entries: RpmVerifyEntry[] = files.map((file) => ({
      file,
      package: 'app-1.0-1.noarch',
      algorithm: algorithm ?? undefined,
    }))
    const verdicts = await verifyFiles(
      openHost({ root }),
      entries,
      rpmVerifyRules(openHost({ root }), ids, options),
    )
    return verdicts.map((verdict) => verdict.line)
  }

  async function file(hostPath: string, content: string, mode = 0o644): Promise<void> {
    await writeFile(at(hostPath), content)
    await chmod(at(hostPath), mode)
    await utimes(at(hostPath), 1_700_000_000, 1_700_000_000)
  }

  test('an unchanged file prints nothing; content, size and mtime changes print S, 5 and T', async () => {
    await file('/etc/app/same.conf', 'a = 1\n')
    await file('/etc/app/grown.conf', 'a = 1\n')
    await file('/etc/app/edited.conf', 'a = 1\n')
    const entries = [
      await recorded('/etc/app/same.conf'),
      await recorded('/etc/app/grown.conf', { flags: fileFlags.CONFIG | fileFlags.NOREPLACE }),
      await recorded('/etc/app/edited.conf', { flags: fileFlags.CONFIG }),
    ]
    await appendFile(at('/etc/app/grown.conf'), 'b = 2\n')
    await writeFile(at('/etc/app/edited.conf'), 'a = 2\n')
    await utimes(at('/etc/app/edited.conf'), 1_700_000_000, 1_700_000_000)
    assert.deepEqual(await lines(entries), [
      'S.5....T.  c /etc/app/grown.conf',
      '..5......  c /etc/app/edited.conf',
    ])
  })

  test('mode includes the file type; links are compared by target, not mode', async () => {
    await file('/etc/app/mode.conf', 'x\n')
    await file('/etc/app/became-dir', 'x\n')
    await symlink('target-a', at('/usr/bin/link'))
    const entries = [
      await recorded('/etc/app/mode.conf'),
      await recorded('/etc/app/became-dir'),
      await recorded('/usr/bin/link'),
    ]
    await chmod(at('/etc/app/mode.conf'), 0o600)
    await unlink(at('/etc/app/became-dir'))
    await mkdir(at('/etc/app/became-dir'), { mode: 0o755 })
    await unlink(at('/usr/bin/link'))
    await symlink('target-b', at('/usr/bin/link'))
    assert.deepEqual(await lines(entries), [
      '.M.......    /etc/app/mode.conf',
      // A directory has no size, digest or mtime to compare: only its mode (type bits) differs.
      '.M.......    /etc/app/became-dir',
      '....L....    /usr/bin/link',
    ])
  })

  test('owner and group are compared by the names in the root; unknown names mean root and lose set-id bits', async () => {
    await file('/usr/bin/owned', '#!/bin/sh\n', 0o755)
    await file('/usr/bin/daemon-owned', '#!/bin/sh\n', 0o755)
    await file('/usr/bin/setuid-unknown', '#!/bin/sh\n', 0o4755)
    await chown(at('/usr/bin/daemon-owned'), 1, 1)
    const entries = [
      await recorded('/usr/bin/owned'),
      await recorded('/usr/bin/daemon-owned', { user: 'daemon', group: 'daemon' }),
      await recorded('/usr/bin/setuid-unknown', { user: 'no-such-user' }),
    ]
    await chown(at('/usr/bin/owned'), 65534, 65534)
    await chmod(at('/usr/bin/setuid-unknown'), 0o4755)
    assert.deepEqual(await lines(entries), [
      '.....UG..    /usr/bin/owned',
      '.M.......    /usr/bin/setuid-unknown',
    ])
  })

  test('missing files: plain, %config and %doc are listed; %ghost and %config(missingok) are not', async () => {
    for (const name of ['plain', 'conf', 'doc', 'ghost', 'optional']) await file(`/etc/app/${name}`, 'x\n')
    await mkdir(at('/etc/app/sub'))
    await file('/etc/app/sub/child', 'x\n')
    const entries = [
      await recorded('/etc/app/plain'),
      await recorded('/etc/app/conf', { flags: fileFlags.CONFIG }),
      await recorded('/etc/app/doc', { flags: fileFlags.DOC | fileFlags.CONFIG }),
      await recorded('/etc/app/ghost', { flags: fileFlags.GHOST }),
      await recorded('/etc/app/optional', { flags: fileFlags.CONFIG | fileFlags.MISSINGOK }),
      await recorded('/etc/app/sub/child'),
    ]
    for (const name of ['plain', 'conf', 'doc', 'ghost', 'optional']) await unlink(at(`/etc/app/${name}`))
    await rm(at('/etc/app/sub'), { recursive: true })
    await writeFile(at('/etc/app/sub'), 'now a file\n')
    assert.deepEqual(await lines(entries), [
      'missing     /etc/app/plain',
      'missing   c /etc/app/conf',
      // The attribute column shows the first of rpm's letters (d before c).
      'missing   d /etc/app/doc',
      'missing     /etc/app/sub/child (Not a directory)',
    ])
  })

  test('%ghost content is not compared, its permissions are; %verify(not …) is honoured', async () => {
    await file('/etc/app/ghost.log', '')
    await file('/etc/app/state.db', 'initial\n')
    const entries = [
      await recorded('/etc/app/ghost.log', { flags: fileFlags.GHOST }),
      await recorded('/etc/app/state.db', {
        verifyFlags: everything & ~(verifyFlags.FILEDIGEST | verifyFlags.FILESIZE | verifyFlags.MTIME),
      }),
    ]
    await writeFile(at('/etc/app/ghost.log'), 'grew a lot\n')
    await chmod(at('/etc/app/ghost.log'), 0o600)
    await writeFile(at('/etc/app/state.db'), 'changed\n')
    assert.deepEqual(await lines(entries), ['.M.......  g /etc/app/ghost.log'])
  })

  test('mtime differences of files owned by more than one package are ignored', async () => {
    await file('/etc/app/shared', 'x\n')
    await file('/etc/app/own', 'x\n')
    const entries = [await recorded('/etc/app/shared'), await recorded('/etc/app/own')]
    await utimes(at('/etc/app/shared'), 1_600_000_000, 1_600_000_000)
    await utimes(at('/etc/app/own'), 1_600_000_000, 1_600_000_000)
    const sharedPath = (p: Buffer) => p.toString() === '/etc/app/shared'
    assert.deepEqual(await lines(entries, { sharedPath }), ['.......T.    /etc/app/own'])
  })

  test('file states: replaced and missing-state files carry a note; never-installed files are skipped', async () => {
    await file('/etc/app/replaced', 'x\n')
    await file('/etc/app/stateless', 'x\n')
    const entries = [
      await recorded('/etc/app/replaced', { state: fileStates.REPLACED }),
      await recorded('/etc/app/stateless', { state: undefined }),
      await recorded('/etc/app/replaced', {
        path: Buffer.from('/etc/app/not-there'),
        state: fileStates.NOTINSTALLED,
      }),
    ]
    await writeFile(at('/etc/app/replaced'), 'different and longer\n')
    assert.deepEqual(await lines(entries), [
      '.........    /etc/app/replaced (replaced)',
      '.........    /etc/app/stateless (no state)',
    ])
  })

  test('a digest rpm cannot compute prints ?; a different size is a different digest without reading', async () => {
    await file('/etc/app/a', 'x\n')
    const entries = [await recorded('/etc/app/a')]
    assert.deepEqual(await lines(entries, {}, null), ['..?......    /etc/app/a'])
    await writeFile(at('/etc/app/a'), 'longer\n')
    await utimes(at('/etc/app/a'), 1_700_000_000, 1_700_000_000)
    assert.deepEqual(await lines(entries, {}, null), ['S.5......    /etc/app/a'])
  })

  test('device numbers: a different major/minor prints D', async () => {
    execFileSync('mknod', ['-m', '0600', at('/etc/app/dev'), 'c', '1', '3'])
    const entries = [await recorded('/etc/app/dev')]
    await unlink(at('/etc/app/dev'))
    execFileSync('mknod', ['-m', '0600', at('/etc/app/dev'), 'c', '1', '5'])
    assert.deepEqual(await lines(entries), ['...D.....    /etc/app/dev'])
  })

  test('a symlink to a directory stands in for the directory rpm expects, when root owns it', async () => {
    await mkdir(at('/usr/lib64'), { mode: 0o755 })
    await mkdir(at('/usr/share'), { mode: 0o755 })
    const entries = [await recorded('/usr/lib64'), await recorded('/usr/share')]
    await rm(at('/usr/lib64'), { recursive: true })
    await mkdir(at('/usr/lib'), { mode: 0o755 })
    await symlink('lib', at('/usr/lib64'))
    await rm(at('/usr/share'), { recursive: true })
    await writeFile(at('/usr/share-file'), 'x')
    await symlink('share-file', at('/usr/share'))
    // /usr/share now links to a file: a symlink has no mode to compare, but its target is wrong.
    assert.deepEqual(await lines(entries), ['....L....    /usr/share'])
  })
})
