import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { opensshVersion, parseOpensshVersion, upstreamUseDnsDefault } from './openssh-version.ts'

test('the banner read from this machine’s sshd binary is the installed OpenSSH', () => {
  // sshd -V prints the version without the portable suffix; dpkg knows the whole upstream version.
  const printed = spawnSync('/usr/sbin/sshd', ['-V'], { encoding: 'utf8' }).stderr
  const packaged = execFileSync('dpkg-query', ['-W', `-f=\${Version}`, 'openssh-server'], {
    encoding: 'utf8',
  })
  const upstream = /^(?:\d+:)?([^-]+)/.exec(packaged)?.[1]
  const found = opensshVersion(readFileSync('/usr/sbin/sshd'))
  assert.equal(found?.banner, `OpenSSH_${upstream}`)
  assert.ok(printed.startsWith(`OpenSSH_${found?.major}.${found?.minor},`), printed)
})

test('compatibility patterns do not count; the portable banner wins over the bare one', () => {
  const bytes = Buffer.from(
    '\0OpenSSH_2.*,OpenSSH_3.0*\0OpenSSH_7.4*\0OpenSSH_6.6.1*\0OpenSSH_7.4\0OpenSSH_7.4p1\0OpenSSH_7.4p1-RHEL7\0',
    'latin1',
  )
  assert.deepEqual(opensshVersion(bytes), { banner: 'OpenSSH_7.4p1', major: 7, minor: 4 })
  assert.deepEqual(opensshVersion(Buffer.from('OpenSSH_5.3p1\0')), {
    banner: 'OpenSSH_5.3p1',
    major: 5,
    minor: 3,
  })
  assert.equal(opensshVersion(Buffer.from('\0OpenSSH_7.4*\0no banner here\0')), undefined)
})

test('UseDNS defaults to yes before OpenSSH 6.8 and to no since', () => {
  const defaultOf = (text: string) => {
    const version = parseOpensshVersion(text)
    assert.ok(version)
    return upstreamUseDnsDefault(version)
  }
  assert.equal(defaultOf('5.3p1'), true)
  assert.equal(defaultOf('6.7p1'), true)
  assert.equal(defaultOf('6.8p1'), false)
  assert.equal(defaultOf('OpenSSH_10.0p1'), false)
})
