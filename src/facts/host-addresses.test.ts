import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { namespacesUnavailable } from '../../test/helpers/running-bird.ts'
import { canonicalAddress } from '../anycast/ip-prefix.ts'
import { openHost } from '../host/host.ts'
import { parseIfcfg } from './host-addresses/ifcfg-addresses.ts'
import { addressesFromCommand, parseInterfaces } from './host-addresses/ifupdown-addresses.ts'
import { parseFibTrie, parseIfInet6 } from './host-addresses/kernel-addresses.ts'
import { parseNetworkFile } from './host-addresses/networkd-addresses.ts'
import { parseKeyfile } from './host-addresses/networkmanager-addresses.ts'
import { hostAddresses } from './host-addresses.ts'

const brief = (
  list: { interface: string; label?: string; address: string; prefixLength: number; line: number }[],
) => list.map((a) => `${a.label ?? a.interface} ${a.address}/${a.prefixLength} @${a.line}`)

describe('ifupdown', () => {
  test('stanzas, several per interface, netmask, and addresses added by up commands', () => {
    const { reading, includes } = parseInterfaces(
      [
        'source /etc/network/interfaces.d/*',
        'auto lo',
        'iface lo inet loopback',
        '    up ip addr add 203.0.113.53/32 dev lo label lo:ns1',
        '    post-up /sbin/ip -4 address add 203.0.113.54/32 dev lo && ifconfig lo:2 203.0.113.55 netmask 255.255.255.255 up',
        'iface lo inet static',
        '    address 198.51.100.65',
        '    netmask 255.255.255.255',
        'iface eth0 inet dhcp',
        'iface eth1 inet6 static',
        '    address 2001:db8::2/64 \\',
        '',
        'iface eth2 inet static',
        '    address not-an-address',
      ].join('\n'),
      '/etc/network/interfaces',
    )
    assert.deepEqual(brief(reading.addresses), [
      'lo:ns1 203.0.113.53/32 @4',
      'lo 203.0.113.54/32 @5',
      'lo:2 203.0.113.55/32 @5',
      'lo 198.51.100.65/32 @7',
      'eth1 2001:db8::2/64 @11',
    ])
    assert.deepEqual(
      reading.dynamic.map((d) => `${d.interface} ${d.method} @${d.line}`),
      ['eth0 dhcp @9'],
    )
    assert.deepEqual(includes, [{ keyword: 'source', pattern: '/etc/network/interfaces.d/*', line: 1 }])
    assert.deepEqual(reading.warnings, [
      { file: '/etc/network/interfaces', line: 14, message: "'not-an-address' is not an IP address" },
    ])
  })

  test('the commands an up line may use', () => {
    assert.deepEqual(addressesFromCommand('ip -6 addr add 2001:db8::53/128 dev lo nodad', 'eth0'), [
      { device: 'lo', address: '2001:db8::53/128' },
    ])
    assert.deepEqual(addressesFromCommand('ip a add 192.0.2.1/32', 'lo'), [
      { device: 'lo', address: '192.0.2.1/32' },
    ])
    assert.deepEqual(addressesFromCommand('ip route add 10.0.0.0/8 via 192.0.2.1; echo done', 'lo'), [])
    assert.deepEqual(addressesFromCommand('ifconfig lo inet6 add 2001:db8::1/128', 'lo'), [
      { device: 'lo', address: '2001:db8::1/128' },
    ])
  })

  describe('includes', () => {
    let root: string
    before(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'preflight-ifupdown-'))
      await mkdir(path.join(root, 'etc/network/interfaces.d'), { recursive: true })
      await writeFile(
        path.join(root, 'etc/network/interfaces'),
        'source-directory interfaces.d\nauto lo\niface lo inet loopback\n',
      )
      await writeFile(
        path.join(root, 'etc/network/interfaces.d/anycast'),
        'iface lo inet static\n  address 203.0.113.53/32\n',
      )
      // run-parts names only: a backup file is not read.
      await writeFile(
        path.join(root, 'etc/network/interfaces.d/anycast.bak'),
        'iface lo inet static\n  address 203.0.113.99/32\n',
      )
    })
    after(() => rm(root, { recursive: true, force: true }))

    test('source-directory reads run-parts names from the including directory', async () => {
      const value = await hostAddresses.collect({ host: openHost({ root }), progress: () => {} }, {})
      assert.deepEqual(brief(value.configured), ['lo 203.0.113.53/32 @2'])
      assert.deepEqual(value.tools, [
        { tool: 'ifupdown', files: ['/etc/network/interfaces', '/etc/network/interfaces.d/anycast'] },
      ])
      assert.equal(value.kernel, undefined)
    })
  })
})

test('systemd-networkd: Address= in [Network] and [Address], DHCP=, a Name= glob matching lo', () => {
  const reading = parseNetworkFile(
    '[Match]\nName=l* eth9\n\n[Network]\nAddress=203.0.113.53/32\nDHCP=no\n\n[Address]\nAddress=2001:db8:53::1/128\n',
    '/etc/systemd/network/10-lo.network',
  )
  assert.deepEqual(brief(reading.addresses), ['lo 203.0.113.53/32 @5', 'lo 2001:db8:53::1/128 @9'])
  assert.deepEqual(reading.dynamic, [])
  const dhcp = parseNetworkFile(
    '[Match]\nName=eth0\n[Network]\nDHCP=ipv4\n',
    '/etc/systemd/network/eth0.network',
  )
  assert.deepEqual(
    dhcp.dynamic.map((d) => `${d.interface} ${d.method}`),
    ['eth0 DHCP=ipv4'],
  )
  // systemd's own templates: an address pool request, and a file for containers only.
  const pool = parseNetworkFile(
    '[Match]\nName=ve-*\n[Network]\nAddress=0.0.0.0/28\n',
    '/usr/lib/systemd/network/80-container-ve.network',
  )
  assert.deepEqual(pool.addresses, [])
  const container = parseNetworkFile(
    '[Match]\nVirtualization=container\nName=host0\n[Network]\nDHCP=yes\n',
    '/usr/lib/systemd/network/80-container-host0.network',
  )
  assert.deepEqual(container.dynamic, [])
})

test('EL ifcfg: aliases, numbered addresses, netmask or prefix, ONBOOT=no', () => {
  const alias = parseIfcfg(
    'DEVICE="lo:1"\nIPADDR=10.1.0.1\nNETMASK=255.255.255.255\nONBOOT=yes\n',
    '/etc/sysconfig/network-scripts/ifcfg-lo:1',
  )
  assert.deepEqual(brief(alias.addresses), ['lo:1 10.1.0.1/32 @2'])
  const numbered = parseIfcfg(
    'DEVICE=eth0\nBOOTPROTO=none\nIPADDR0=10.0.0.1\nPREFIX0=24\nIPADDR1=10.0.0.2\nPREFIX1=24\nIPV6ADDR=2001:db8::1/64\nIPV6ADDR_SECONDARIES="2001:db8::2/64 2001:db8::3/64"\n',
    '/etc/sysconfig/network-scripts/ifcfg-eth0',
  )
  assert.deepEqual(brief(numbered.addresses), [
    'eth0 10.0.0.1/24 @3',
    'eth0 10.0.0.2/24 @5',
    'eth0 2001:db8::1/64 @7',
    'eth0 2001:db8::2/64 @8',
    'eth0 2001:db8::3/64 @8',
  ])
  const named = parseIfcfg('IPADDR=10.1.0.9\nPREFIX=32\n', '/etc/sysconfig/network-scripts/ifcfg-lo:9')
  assert.deepEqual(brief(named.addresses), ['lo:9 10.1.0.9/32 @1'])
  assert.deepEqual(parseIfcfg('DEVICE=lo:2\nIPADDR=10.1.0.2\nONBOOT=no\n', 'f').addresses, [])
  const dhcp = parseIfcfg('DEVICE=eth1\nBOOTPROTO=dhcp\n', 'f')
  assert.deepEqual(
    dhcp.dynamic.map((d) => d.interface),
    ['eth1'],
  )
})

test('NetworkManager keyfiles: a loopback connection with addresses, method=auto', () => {
  const lo = parseKeyfile(
    '[connection]\nid=lo\ntype=loopback\ninterface-name=lo\n\n[ipv4]\naddress1=203.0.113.53/32\naddress2=203.0.113.54/32,0.0.0.0\nmethod=manual\n',
    '/etc/NetworkManager/system-connections/lo.nmconnection',
  )
  assert.deepEqual(brief(lo.addresses), ['lo 203.0.113.53/32 @7', 'lo 203.0.113.54/32 @8'])
  const eth = parseKeyfile(
    '[connection]\nid=eth0\ntype=ethernet\ninterface-name=eth0\n[ipv4]\nmethod=auto\n',
    'f',
  )
  assert.deepEqual(
    eth.dynamic.map((d) => `${d.interface} ${d.method}`),
    ['eth0 ipv4.method=auto'],
  )
})

describe('kernel addresses from /proc agree with ip addr', { skip: namespacesUnavailable() }, () => {
  const namespace = `pfaddr-${process.pid}`
  before(() => {
    execFileSync('ip', ['netns', 'add', namespace])
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    for (const address of ['203.0.113.53/32', '198.51.100.65/32', '10.9.8.7/24']) {
      execFileSync('ip', ['-n', namespace, 'addr', 'add', address, 'dev', 'lo'])
    }
    execFileSync('ip', ['-n', namespace, 'addr', 'add', '2001:db8:53::1/128', 'dev', 'lo', 'nodad'])
  })
  after(() => {
    execFileSync('ip', ['netns', 'del', namespace])
  })

  const inNamespace = (...command: string[]) =>
    execFileSync('ip', ['netns', 'exec', namespace, ...command], { encoding: 'utf8' })

  test('IPv4 from fib_trie, IPv6 from if_inet6', () => {
    const ipAddr = (family: '-4' | '-6') =>
      [...inNamespace('ip', family, '-o', 'addr', 'show').matchAll(/inet6? (\S+)\/(\d+)/g)]
        .map((m) => canonicalAddress(m[1] ?? ''))
        .sort()
    assert.deepEqual(
      parseFibTrie(inNamespace('cat', '/proc/net/fib_trie'))
        .map((a) => a.address)
        .sort(),
      ipAddr('-4'),
    )
    const v6 = parseIfInet6(inNamespace('cat', '/proc/net/if_inet6'))
    assert.deepEqual(v6.map((a) => a.address).sort(), ipAddr('-6'))
    assert.deepEqual(
      v6.find((a) => a.address === '2001:db8:53::1'),
      { address: '2001:db8:53::1', family: 6, interface: 'lo', prefixLength: 128 },
    )
  })

  test('the live host: the kernel list is gathered next to the files', async () => {
    const value = await hostAddresses.collect({ host: openHost(), progress: () => {} }, {})
    const ours = (value.kernel ?? [])
      .filter((a) => a.family === 4)
      .map((a) => a.address)
      .sort()
    const ipAddr = [
      ...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/inet (\S+)\//g),
    ]
      .map((m) => m[1])
      .sort()
    assert.deepEqual(ours, ipAddr)
  })
})
