import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import type { Selinux } from '../facts/selinux.ts'
import type { CheckContext } from './define-check.ts'
import { finalStatus } from './result.ts'
import { selinuxNotEnforcing } from './selinux-not-enforcing.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const run = (root: string) => runCheckOn(selinuxNotEnforcing, path.join(roots, root))

const centos: OsIdentity = {
  distro: 'centos',
  family: 'rhel',
  name: 'CentOS release 6.10 (Final)',
  version: '6.10',
  major: 6,
  minor: 10,
}
const context: CheckContext = { os: centos, target: { distro: 'centos', major: 7, version: '7' } }
const config = (mode: Selinux['config']) => ({
  file: '/etc/selinux/config',
  modeLine: 7,
  policy: 'targeted',
  policyLine: 11,
  ...mode,
})
const facts = (selinux: Partial<Selinux>): { selinux: Selinux } => ({
  selinux: { installed: true, kernelArguments: [], warnings: [], ...selinux },
})

function outcome(selinux: Partial<Selinux>, checkContext = context) {
  const result = selinuxNotEnforcing.run(facts(selinux), checkContext)
  assert.ok(!(result instanceof Promise))
  return { ...result, final: finalStatus(result).status }
}

describe('security.selinux-not-enforcing on fixture roots', () => {
  test("the blog's CentOS 6.5 with SELINUX=disabled: relabel and turn it on before the upgrade", async () => {
    const result = await run('centos65-blog')
    assert.equal(result.status, 'needs_inspection')
    assert.deepEqual(result.risks, [
      {
        level: 'medium',
        message: 'SELinux is disabled by SELINUX=disabled (/etc/selinux/config:7).',
        file: '/etc/selinux/config',
        line: 7,
      },
    ])
    assert.match(
      result.solution ?? '',
      /set SELINUX=permissive at \/etc\/selinux\/config:7, run `touch \/.autorelabel` and reboot/,
    )
    assert.match(result.solution ?? '', /remember to leave SELinux turned on/)
    assert.deepEqual(result.messages, [
      'At boot: disabled — SELINUX=disabled (/etc/selinux/config:7), policy targeted.',
    ])
  })

  test('enforcing passes', async () => {
    const result = await run('centos610-clean')
    assert.equal(result.status, 'pass')
    assert.deepEqual(result.messages, [
      'At boot: enforcing — SELINUX=enforcing (/etc/selinux/config:7), policy targeted.',
    ])
  })

  test('Debian without SELinux: not applicable, AppArmor is the default there', async () => {
    const result = await run('debian12-clean')
    assert.equal(result.status, 'notapplicable')
    assert.match(
      result.messages[0] ?? '',
      /not installed \(no \/etc\/selinux\/config\); Debian's default .* is AppArmor/,
    )
  })
})

describe('security.selinux-not-enforcing decisions', () => {
  test('permissive in the config is a slight risk with the steps to enforce', () => {
    const result = outcome({ config: config({ file: '/etc/selinux/config', mode: 'permissive' }) })
    assert.equal(result.final, 'needs_inspection')
    assert.deepEqual(
      result.risks.map((r) => r.level),
      ['slight'],
    )
    assert.match(
      result.solution ?? '',
      /set SELINUX=enforcing at \/etc\/selinux\/config:7 and run `setenforce 1`/,
    )
  })

  test('selinux=0 on the kernel command line wins over an enforcing config, and the fix names it', () => {
    const result = outcome({
      config: config({ file: '/etc/selinux/config', mode: 'enforcing' }),
      kernelArguments: [{ file: '/etc/default/grub', line: 6, argument: 'selinux=0' }],
    })
    assert.deepEqual(result.risks, [
      {
        level: 'medium',
        message: 'SELinux is disabled by the kernel argument selinux=0 (/etc/default/grub:6).',
        file: '/etc/default/grub',
        line: 6,
      },
    ])
    assert.match(
      result.solution ?? '',
      /remove selinux=0 from \/etc\/default\/grub:6 and regenerate the boot configuration/,
    )
  })

  test('runtime and configuration disagree: both are said, and what the upgrade reboot changes', () => {
    const permissiveNow = outcome({
      config: config({ file: '/etc/selinux/config', mode: 'enforcing' }),
      runtime: { selinuxfsMounted: true, mode: 'permissive' },
    })
    assert.deepEqual(permissiveNow.messages, [
      'At boot: enforcing — SELINUX=enforcing (/etc/selinux/config:7), policy targeted.',
      'Running now: permissive.',
    ])
    assert.match(
      permissiveNow.risks[0]?.message ?? '',
      /permissive now \(setenforce 0\) while the configuration says enforcing/,
    )
    assert.equal(permissiveNow.final, 'needs_inspection')

    const offNow = outcome({
      config: config({ file: '/etc/selinux/config', mode: 'enforcing' }),
      runtime: { selinuxfsMounted: false, mode: 'disabled' },
    })
    assert.equal(offNow.messages[1], 'Running now: disabled (selinuxfs is not mounted).')
    assert.match(offNow.risks[0]?.message ?? '', /off now but enforcing at the next boot/)
    assert.match(offNow.solution ?? '', /touch \/.autorelabel/)

    const onNow = outcome({
      config: config({ file: '/etc/selinux/config', mode: 'enforcing' }),
      runtime: { selinuxfsMounted: true, mode: 'enforcing' },
    })
    assert.equal(onNow.final, 'pass')
  })

  test('RHEL 8 → 9 with SELINUX=disabled: the config no longer disables it on 9', () => {
    const rhel8: OsIdentity = {
      distro: 'rhel',
      family: 'rhel',
      name: 'RHEL 8.10',
      version: '8.10',
      major: 8,
      minor: 10,
    }
    const result = outcome(
      { config: config({ file: '/etc/selinux/config', mode: 'disabled' }) },
      { os: rhel8, target: { distro: 'rhel', major: 9, version: '9' } },
    )
    assert.match(result.risks[0]?.message ?? '', /On 9, SELINUX=disabled no longer turns SELinux off/)
  })

  test('a config without a valid mode cannot be judged: slight', () => {
    const result = outcome({ config: { file: '/etc/selinux/config', modeLine: 1 } })
    assert.match(result.risks[0]?.message ?? '', /sets no valid SELINUX= mode/)
  })

  test('an EL host without /etc/selinux/config is not applicable, saying why', () => {
    const reason = selinuxNotEnforcing.appliesTo?.(facts({ installed: false }), context)
    assert.equal(reason, 'SELinux is not installed (no /etc/selinux/config).')
  })
})
