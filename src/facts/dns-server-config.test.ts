import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../host/host.ts'
import { answersOnEveryAddress, type DnsServer, dnsBinding, dnsServerConfig } from './dns-server-config.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

function available(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function serversOf(root: string): Promise<DnsServer[]> {
  return (await dnsServerConfig.collect({ host: openHost({ root }), progress: () => {} }, {})).servers
}

describe('NSD', () => {
  test("the fixtures' ip-address lines are what nsd-checkconf reads", {
    skip: !available('nsd-checkconf') && 'needs nsd',
  }, async () => {
    for (const root of ['anycast-lab-eu', 'anycast-debian-partial']) {
      const file = path.join(roots, root, 'etc/nsd/nsd.conf')
      const oracle = execFileSync('nsd-checkconf', ['-o', 'ip-address', file], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
      const [nsd] = await serversOf(path.join(roots, root))
      assert.equal(nsd?.software, 'NSD')
      assert.deepEqual(
        nsd?.listen.map((l) => l.address),
        oracle,
      )
      const transparent = execFileSync('nsd-checkconf', ['-o', 'ip-transparent', file], {
        encoding: 'utf8',
      }).trim()
      assert.equal(nsd?.ipTransparent?.value ?? false, transparent === 'yes')
    }
  })

  test('explicit, wildcard and missing addresses', async () => {
    const [lab] = await serversOf(path.join(roots, 'anycast-lab-eu'))
    const [partial] = await serversOf(path.join(roots, 'anycast-debian-partial'))
    assert.ok(lab && partial)
    assert.deepEqual(dnsBinding(lab, '203.0.113.54', 4), {
      kind: 'explicit',
      file: '/etc/nsd/nsd.conf',
      line: 5,
    })
    assert.deepEqual(dnsBinding(lab, '203.0.113.99', 4), {
      kind: 'none',
      reason: 'it is not among the ip-address: lines on port 53',
      file: '/etc/nsd/nsd.conf',
      line: 4,
    })
    assert.equal(dnsBinding(lab, '2001:db8::53', 6).kind, 'none')
    assert.equal(dnsBinding(partial, '203.0.113.53', 4).kind, 'wildcard')
    assert.equal(answersOnEveryAddress(partial, 4), true)
    assert.equal(answersOnEveryAddress(lab, 4), false)
  })
})

describe('Unbound (no unbound-checkconf here: literal configurations)', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-unbound-'))
    await mkdir(path.join(root, 'etc/unbound/unbound.conf.d'), { recursive: true })
    await writeFile(
      path.join(root, 'etc/unbound/unbound.conf'),
      '# Debian default\ninclude: "/etc/unbound/unbound.conf.d/*.conf"\n',
    )
    await writeFile(
      path.join(root, 'etc/unbound/unbound.conf.d/anycast.conf'),
      'server:\n    interface: 203.0.113.53\n    interface: 0.0.0.0@5353\n    interface-automatic: yes # replies from the queried address\n    do-ip6: no\n',
    )
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('includes by glob; interface lines, a wildcard on another port, do-ip6', async () => {
    const [unbound] = await serversOf(root)
    assert.equal(unbound?.software, 'Unbound')
    assert.ok(unbound)
    assert.deepEqual(unbound.files, ['/etc/unbound/unbound.conf', '/etc/unbound/unbound.conf.d/anycast.conf'])
    assert.equal(dnsBinding(unbound, '203.0.113.53', 4).kind, 'explicit')
    // 0.0.0.0@5353 is not port 53.
    assert.equal(dnsBinding(unbound, '203.0.113.54', 4).kind, 'none')
    assert.equal(dnsBinding(unbound, '2001:db8::53', 6).kind, 'none')
    assert.equal(unbound.interfaceAutomatic?.value, true)
  })

  test('without an interface line Unbound serves localhost only', async () => {
    await writeFile(path.join(root, 'etc/unbound/unbound.conf.d/anycast.conf'), 'server:\n    verbosity: 1\n')
    const [unbound] = await serversOf(root)
    assert.ok(unbound)
    assert.equal(dnsBinding(unbound, '203.0.113.53', 4).kind, 'none')
    assert.equal(answersOnEveryAddress(unbound, 4), false)
  })
})

describe('BIND', () => {
  let root: string
  const namedConf = `// comment
acl anycast { 203.0.113.53; 203.0.113.54; };
acl blocked { !203.0.113.60; 203.0.113.0/24; };
options {
  directory "/var/cache/bind";
  listen-on port 53 { 127.0.0.1; anycast; blocked; }; # the service addresses
  listen-on port 8053 { any; };
  /* no listen-on-v6: BIND's default */
};
`
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-named-'))
    await mkdir(path.join(root, 'etc/bind'), { recursive: true })
    await mkdir(path.join(root, 'var/cache/bind'), { recursive: true })
    await writeFile(path.join(root, 'etc/bind/named.conf'), 'include "/etc/bind/named.conf.options";\n')
    await writeFile(path.join(root, 'etc/bind/named.conf.options'), namedConf)
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('named-checkconf accepts the configuration and lists the same port-53 elements', {
    skip: !available('named-checkconf') && 'needs bind9-utils',
  }, async () => {
    const printed = execFileSync('named-checkconf', ['-p', '-t', root, '/etc/bind/named.conf'], {
      encoding: 'utf8',
    })
    assert.match(printed, /listen-on port 53 \{\s*127\.0\.0\.1\/32;\s*"anycast";\s*"blocked";\s*\};/)
    const [bind] = await serversOf(root)
    assert.equal(bind?.software, 'BIND')
    assert.deepEqual(
      bind?.namedListenOn.map((l) => `${l.family} ${l.port} ${l.elements.length}@${l.line}`),
      ['4 53 3@6', '4 8053 1@7'],
    )
  })

  test('address match lists: ACLs, negation, prefixes and the defaults', async () => {
    const [bind] = await serversOf(root)
    assert.ok(bind)
    assert.deepEqual(dnsBinding(bind, '203.0.113.54', 4), {
      kind: 'explicit',
      file: '/etc/bind/named.conf.options',
      line: 6,
    })
    assert.equal(dnsBinding(bind, '203.0.113.60', 4).kind, 'none')
    const inRange = dnsBinding(bind, '203.0.113.99', 4)
    assert.equal(inRange.kind, 'wildcard')
    assert.match(inRange.kind === 'wildcard' ? inRange.reason : '', /only through '203\.0\.113\.0\/24'/)
    assert.equal(dnsBinding(bind, '198.51.100.1', 4).kind, 'none')
    const v6 = dnsBinding(bind, '2001:db8::53', 6)
    assert.equal(v6.kind, 'wildcard')
    assert.equal(answersOnEveryAddress(bind, 6), true)
    assert.equal(answersOnEveryAddress(bind, 4), false)
  })

  test("the EL fixture's named.conf (named-checkconf -t accepts it)", {
    skip: !available('named-checkconf') && 'needs bind9-utils',
  }, async () => {
    const fixture = path.join(roots, 'anycast-blog-naive')
    execFileSync('named-checkconf', ['-t', fixture, '/etc/named.conf'])
    const [bind] = await serversOf(fixture)
    assert.ok(bind)
    assert.deepEqual(bind.files, ['/etc/named.conf', '/etc/named.rfc1912.zones'])
    assert.equal(dnsBinding(bind, '10.1.0.2', 4).kind, 'explicit')
    assert.equal(dnsBinding(bind, '10.1.0.3', 4).kind, 'none')
  })
})
