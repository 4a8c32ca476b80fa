import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { openHost } from '../host/host.ts'
import { parseSelinuxConfig, selinux } from './selinux.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')
const collect = (root?: string) =>
  selinux.collect({ host: openHost(root === undefined ? {} : { root }), progress: () => {} }, {})

test('the CentOS 6 config: mode and policy with their lines', async () => {
  const facts = await collect(path.join(roots, 'centos65-blog'))
  assert.deepEqual(facts, {
    installed: true,
    config: {
      file: '/etc/selinux/config',
      mode: 'disabled',
      modeLine: 7,
      policy: 'targeted',
      policyLine: 11,
    },
    kernelArguments: [],
    warnings: [],
  })
})

test('no /etc/selinux/config: not installed', async () => {
  const facts = await collect(path.join(roots, 'debian12-clean'))
  assert.equal(facts.installed, false)
  assert.equal(facts.config, undefined)
})

test('bad values, repeated keys and junk lines are warnings with file and line', () => {
  const { config, warnings } = parseSelinuxConfig(
    'SELINUX=Enforcing\nSELINUX=disabled\njunk\nSELINUXTYPE=mls\n',
  )
  assert.equal(config.mode, 'enforcing')
  assert.deepEqual(warnings, [
    {
      file: '/etc/selinux/config',
      line: 2,
      message: 'SELINUX is set again (first at line 1); libselinux reads the first',
    },
    { file: '/etc/selinux/config', line: 3, message: "expected KEY=value, found 'junk'" },
  ])
  const invalid = parseSelinuxConfig('SELINUX=off\n')
  assert.equal(invalid.config.mode, undefined)
  assert.equal(invalid.config.modeLine, 1)
  assert.deepEqual(invalid.warnings, [
    {
      file: '/etc/selinux/config',
      line: 1,
      message: "SELINUX='off' is not enforcing, permissive or disabled",
    },
  ])
})

test('selinux= and enforcing= kernel arguments from /etc/default/grub and grub.conf', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-selinux-'))
  try {
    const files: Record<string, string> = {
      'etc/selinux/config': 'SELINUX=enforcing\n',
      'etc/default/grub':
        'GRUB_TIMEOUT=5\n# GRUB_CMDLINE_LINUX="selinux=1"\nGRUB_CMDLINE_LINUX="crashkernel=auto rhgb quiet selinux=0"\n',
      'boot/grub/grub.conf':
        'default=0\ntitle CentOS (2.6.32-431.el6.x86_64)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.6.32-431.el6.x86_64 ro root=/dev/sda1 enforcing=0 rhgb quiet\n',
    }
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true })
      await writeFile(path.join(root, file), text)
    }
    const facts = await collect(root)
    assert.deepEqual(facts.kernelArguments, [
      { file: '/etc/default/grub', line: 3, argument: 'selinux=0' },
      { file: '/boot/grub/grub.conf', line: 4, argument: 'enforcing=0' },
    ])
    assert.equal(facts.runtime, undefined)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('on this machine the runtime state agrees with findmnt -t selinuxfs', async () => {
  const facts = await collect()
  const findmnt = spawnSync('findmnt', ['-n', '-t', 'selinuxfs'], { encoding: 'utf8' })
  assert.equal(facts.runtime?.selinuxfsMounted, findmnt.stdout.trim() !== '')
  if (!facts.runtime?.selinuxfsMounted) assert.equal(facts.runtime?.mode, 'disabled')
})
