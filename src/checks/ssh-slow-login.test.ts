import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import type { OsIdentity } from '../facts/os-identity.ts'
import { parseResolvConf, type ResolvConf } from '../facts/resolv-conf.ts'
import { parseOpensshVersion, upstreamUseDnsDefault } from '../facts/sshd-config/openssh-version.ts'
import type { SshdConfig } from '../facts/sshd-config.ts'
import { resolveTarget } from './data/releases.ts'
import type { CheckContext } from './define-check.ts'
import { sshSlowLogin } from './ssh-slow-login.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const runOn = (root: string) => runCheckOn(sshSlowLogin, path.join(roots, root))

describe('network.ssh-slow-login on fixture roots', () => {
  test('CentOS 6, OpenSSH 5.3p1, no UseDNS, four nameservers, no option: needs action', async () => {
    const result = await runOn('ssh-slow-login-fires')
    assert.equal(result.status, 'needs_action')
    assert.equal(result.risks.length, 1)
    const [found] = result.risks
    assert.equal(found?.level, 'high')
    assert.equal(found?.file, '/etc/resolv.conf')
    assert.match(
      found?.message ?? '',
      /UseDNS yes: after the upgrade to CentOS 7 sshd uses the default of OpenSSH_7.4p1/,
    )
    assert.match(
      found?.message ?? '',
      /\(8\.8\.8\.8, 8\.8\.4\.4, 208\.67\.222\.222\) without `options single-request-reopen`/,
    )
    assert.match(found?.message ?? '', /20-30 seconds/)
    assert.doesNotMatch(found?.message ?? '', /managed by/)
    assert.match(
      result.solution ?? '',
      /add the line `options single-request-reopen` to \/etc\/resolv.conf \(for example after line 5\)/,
    )
    assert.match(
      result.solution ?? '',
      /add `UseDNS no` to \/etc\/ssh\/sshd_config above \/etc\/ssh\/sshd_config:105, the first Match block/,
    )
    assert.deepEqual(result.messages, [
      'UseDNS yes today: no UseDNS is set, so sshd uses the default of OpenSSH_5.3p1.',
      'After the upgrade to CentOS 7 (OpenSSH_7.4p1) the UseDNS default is yes; this host sets none.',
      'glibc uses only the first 3 nameservers and ignores 208.67.220.220 (line 5).',
    ])
  })

  test("the blog's patched resolv.conf passes", async () => {
    const result = await runOn('ssh-slow-login-passes')
    assert.equal(result.status, 'pass')
    assert.match(result.messages[0] ?? '', /line 10 has `options single-request-reopen`/)
  })

  test('a Puppet-managed resolv.conf: the hand edit would be overwritten, the fix goes through Puppet', async () => {
    const result = await runOn('ssh-managed-resolv')
    assert.equal(result.status, 'needs_action')
    assert.match(
      result.risks[0]?.message ?? '',
      /\/etc\/resolv.conf is managed by Puppet \(comment "# This file is managed via Puppet" at line 1\): a hand edit will be overwritten/,
    )
    assert.match(result.solution ?? '', /in the Puppet code that writes \/etc\/resolv.conf, not by hand/)
  })

  test('not applicable without sshd', async () => {
    const result = await runOn('kvirc-ordinary-tls')
    assert.equal(result.status, 'notapplicable')
    assert.match(result.messages[0] ?? '', /OpenSSH server is not installed/)
  })
})

function sshd(version: string | 'unknown', explicit?: { value: boolean; line: number }): SshdConfig {
  const parsed = version === 'unknown' ? undefined : parseOpensshVersion(version)
  const upstreamDefault = parsed && upstreamUseDnsDefault(parsed)
  const useDns = {
    inMatch: [],
    ...(explicit ? { explicit: { file: '/etc/ssh/sshd_config', ...explicit } } : {}),
    ...(upstreamDefault === undefined ? {} : { upstreamDefault }),
  }
  const effective = explicit?.value ?? upstreamDefault
  return {
    installed: true,
    ...(parsed ? { binary: '/usr/sbin/sshd' } : {}),
    version: parsed ?? 'unknown',
    files: [],
    directives: [],
    useDns: effective === undefined ? useDns : { ...useDns, effective },
    warnings: [],
  }
}

function resolv(text: string, managedBy?: ResolvConf['managedBy']): ResolvConf {
  return { ...parseResolvConf(text), exists: true, ...(managedBy ? { managedBy } : {}) }
}

function context(distro: string, version: string, target?: string): CheckContext {
  const major = Number.parseInt(version, 10)
  const os: OsIdentity = { distro, family: 'rhel', name: distro, version, major }
  const resolved = resolveTarget(os, target)
  assert.ok(resolved)
  return { os, target: resolved }
}

const remoteResolver = resolv('nameserver 192.0.2.53\n')

describe('network.ssh-slow-login decisions', () => {
  test('EL7 keeps UseDNS yes (Red Hat build); EL8 turns it off, so the upgrade itself fixes it', async () => {
    const outcome = await sshSlowLogin.run(
      { sshdConfig: sshd('7.4p1'), resolvConf: remoteResolver },
      context('centos', '7.9.2009'),
    )
    assert.equal(outcome.status, 'pass')
    assert.deepEqual(outcome.messages, [
      'sshd does not look up client names (UseDNS no).',
      'UseDNS yes today: no UseDNS is set, so sshd uses the default of OpenSSH_7.4p1 as Enterprise Linux 7 builds it.',
      'After the upgrade to CentOS 8 (OpenSSH_8.0p1) the UseDNS default is no; this host sets none.',
    ])
  })

  test('an explicit UseDNS outlives the upgrade and is named with its file and line', async () => {
    const outcome = await sshSlowLogin.run(
      { sshdConfig: sshd('7.4p1', { value: true, line: 12 }), resolvConf: remoteResolver },
      context('centos', '7.9.2009'),
    )
    assert.equal(outcome.status, 'fail')
    assert.match(outcome.risks[0]?.message ?? '', /UseDNS yes: UseDNS is set at \/etc\/ssh\/sshd_config:12/)
    assert.match(outcome.solution ?? '', /change `UseDNS yes` at \/etc\/ssh\/sshd_config:12 to `UseDNS no`/)
    const off = await sshSlowLogin.run(
      { sshdConfig: sshd('5.3p1', { value: false, line: 3 }), resolvConf: remoteResolver },
      context('centos', '6.5'),
    )
    assert.equal(off.status, 'pass')
  })

  test('a self-built sshd follows the upstream default, not the release table', async () => {
    const outcome = await sshSlowLogin.run(
      { sshdConfig: sshd('9.6p1'), resolvConf: remoteResolver },
      context('debian', '12'),
    )
    assert.equal(outcome.status, 'pass')
    assert.match(
      outcome.messages[1] ?? '',
      /default of OpenSSH_9.6p1 \(\/usr\/sbin\/sshd\): yes before OpenSSH 6.8, no since/,
    )
  })

  test('an unreadable binary falls back to the release table, or to informational when there is none', async () => {
    const el6 = await sshSlowLogin.run(
      { sshdConfig: sshd('unknown'), resolvConf: remoteResolver },
      context('centos', '6.5', '6'),
    )
    assert.equal(el6.status, 'fail')
    assert.match(
      el6.messages[0] ?? '',
      /could not be read, so this assumes the default of OpenSSH_5.3p1, which CentOS 6.5 ships/,
    )
    const unknown = await sshSlowLogin.run(
      { sshdConfig: sshd('unknown'), resolvConf: remoteResolver },
      context('arch', '1'),
    )
    assert.equal(unknown.status, 'informational')
    assert.match(unknown.messages[0] ?? '', /Could not tell whether sshd looks up client names/)
  })

  test('no nameserver, or only local ones, is informational', async () => {
    const none = await sshSlowLogin.run(
      { sshdConfig: sshd('5.3p1'), resolvConf: resolv('search example.com\n') },
      context('centos', '6.5'),
    )
    assert.equal(none.status, 'informational')
    assert.match(
      none.messages[0] ?? '',
      /lists no nameserver, so glibc asks a DNS server on this host \(127.0.0.1\)/,
    )
    const stub = await sshSlowLogin.run(
      { sshdConfig: sshd('5.3p1'), resolvConf: resolv('nameserver 127.0.0.53\noptions edns0 trust-ad\n') },
      context('centos', '6.5'),
    )
    assert.equal(stub.status, 'informational')
    assert.match(stub.messages[0] ?? '', /only local nameservers \(127.0.0.53\)/)
  })

  test('single-request counts like single-request-reopen', async () => {
    const outcome = await sshSlowLogin.run(
      {
        sshdConfig: sshd('5.3p1'),
        resolvConf: resolv('nameserver 192.0.2.53\noptions rotate single-request\n'),
      },
      context('centos', '6.5'),
    )
    assert.equal(outcome.status, 'pass')
  })

  test('each manager gets its own way to add the option', async () => {
    const run = (name: string) =>
      sshSlowLogin.run(
        {
          sshdConfig: sshd('5.3p1'),
          resolvConf: resolv('nameserver 192.0.2.53\n', { name, evidence: 'test' }),
        },
        context('centos', '6.5'),
      )
    assert.match(
      (await run('NetworkManager')).solution ?? '',
      /nmcli connection modify <connection> ipv4.dns-options single-request-reopen/,
    )
    assert.match((await run('dhclient-script')).solution ?? '', /RES_OPTIONS="single-request-reopen"/)
    assert.match((await run('resolvconf')).solution ?? '', /\/etc\/resolvconf\/resolv.conf.d\/head/)
    assert.match(
      (await run('Ansible')).risks[0]?.message ?? '',
      /managed by Ansible \(test\): a hand edit will be overwritten/,
    )
  })
})
