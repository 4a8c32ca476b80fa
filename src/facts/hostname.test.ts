import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os, { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { openHost } from '../host/host.ts'
import { hostname } from './hostname.ts'

const gather = (root?: string) => hostname.collect({ host: openHost({ root }), progress: () => {} }, {})

test('an EL6 root names itself in /etc/sysconfig/network', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-hostname-'))
  try {
    await mkdir(path.join(root, 'etc/sysconfig'), { recursive: true })
    await writeFile(path.join(root, 'etc/sysconfig/network'), 'NETWORKING=yes\nHOSTNAME="pingu.example"\n')
    assert.equal(await gather(root), 'pingu.example')
    await writeFile(path.join(root, 'etc/hostname'), '# set by the installer\nnewer\n')
    assert.equal(await gather(root), 'newer', '/etc/hostname wins when both exist')
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a root with no configured name has an empty host name', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-hostname-'))
  try {
    assert.equal(await gather(root), '')
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('the live host name is the kernel one', async () => {
  assert.equal(await gather(), os.hostname())
})
