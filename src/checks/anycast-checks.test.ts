import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { parseAnycastConfig } from '../anycast/config/anycast-config.ts'
import { assess } from '../engine/assess.ts'
import { describeAnycastSetup } from '../facts/anycast-setup.ts'
import { tokenizeBirdConfig } from '../facts/bird-config/tokenize-bird-config.ts'
import { interpretBirdConfig } from '../facts/bird-config.ts'
import type { DnsServer, DnsServerConfig } from '../facts/dns-server-config.ts'
import type { HostAddresses } from '../facts/host-addresses.ts'
import { openHost } from '../host/host.ts'
import { anycastDnsNotBound } from './anycast-dns-not-bound.ts'
import { anycastExportUnfiltered } from './anycast-export-unfiltered.ts'
import { anycastGracefulRestart } from './anycast-graceful-restart.ts'
import { anycastLoopbackMissing } from './anycast-loopback-missing.ts'
import { anycastNoMaintenanceIp } from './anycast-no-maintenance-ip.ts'
import { anycastSlowFailover } from './anycast-slow-failover.ts'
import { anycastSummaryRoute } from './anycast-summary-route.ts'
import type { CheckContext } from './define-check.ts'
import { allChecks } from './index.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')
const anycastChecks = allChecks.filter((check) => check.id.startsWith('network.anycast-'))

async function resultsOn(root: string) {
  const { assessment } = await assess(openHost({ root: path.join(roots, root) }), anycastChecks)
  return new Map(assessment.results.map((result) => [result.id.replace('network.anycast-', ''), result]))
}

describe('network.anycast-* on fixture roots', () => {
  test("the blog's EU server done naively (CentOS 8, BIND, ifcfg): every check fires", async () => {
    const results = await resultsOn('anycast-blog-naive')
    const statuses = Object.fromEntries([...results].map(([id, result]) => [id, result.status]))
    assert.deepEqual(statuses, {
      'export-unfiltered': 'needs_action',
      'summary-route': 'needs_action',
      'graceful-restart': 'needs_action',
      'slow-failover': 'needs_action',
      'dns-not-bound': 'needs_action',
      'loopback-missing': 'needs_action',
      'no-maintenance-ip': 'needs_inspection',
    })
    const only = (id: string) => {
      const result = results.get(id)
      assert.equal(result?.risks.length, 1, id)
      return { risk: result?.risks[0], solution: result?.solution ?? '' }
    }
    const unfiltered = only('export-unfiltered')
    assert.deepEqual([unfiltered.risk?.file, unfiltered.risk?.line], ['/etc/bird.conf', 30])
    assert.match(
      unfiltered.risk?.message ?? '',
      /exports its ipv4 table unfiltered .*here also 10\.1\.0\.0\/24 from anycast_dns/,
    )
    assert.match(
      unfiltered.solution,
      /replace `export all;` with `export where net ~ \[ 10\.1\.0\.1\/32, 10\.1\.0\.2\/32, 10\.1\.0\.3\/32 \];`/,
    )
    const summary = only('summary-route')
    assert.deepEqual([summary.risk?.file, summary.risk?.line], ['/etc/bird.conf', 21])
    assert.match(
      summary.risk?.message ?? '',
      /exports 10\.1\.0\.0\/24, the static route `route 10\.1\.0\.0\/24 blackhole`.*covers the anycast prefixes 10\.1\.0\.1\/32, 10\.1\.0\.2\/32, 10\.1\.0\.3\/32/,
    )
    assert.match(summary.solution, /delete `route 10\.1\.0\.0\/24 blackhole;` at \/etc\/bird\.conf:21/)
    const restart = only('graceful-restart')
    assert.equal(restart.risk?.line, 27)
    assert.match(restart.risk?.message ?? '', /as stale for 120 s/)
    const failover = only('slow-failover')
    assert.match(failover.risk?.message ?? '', /BIRD's default hold time of 240 s and no BFD/)
    assert.match(
      failover.solution,
      /Add `hold time 9; keepalive time 3;` to protocol upstream \(\/etc\/bird\.conf:24\)/,
    )
    const dns = only('dns-not-bound')
    assert.deepEqual([dns.risk?.file, dns.risk?.line], ['/etc/named.conf', 11])
    assert.match(dns.risk?.message ?? '', /No DNS server answers on the anycast address 10\.1\.0\.3/)
    assert.match(dns.solution, /List 10\.1\.0\.3 in the listen-on list at \/etc\/named\.conf:11/)
    const loopback = only('loopback-missing')
    assert.match(
      loopback.risk?.message ?? '',
      /10\.1\.0\.3\/32 is not configured on lo: BIRD announces it with a static route \(\/etc\/bird\.conf:19\)/,
    )
    assert.match(
      loopback.solution,
      /Create \/etc\/sysconfig\/network-scripts\/ifcfg-lo:3 with DEVICE=lo:3, IPADDR=10\.1\.0\.3, PREFIX=32, ONBOOT=yes/,
    )
    const maintenance = only('no-maintenance-ip')
    assert.equal(maintenance.risk?.level, 'medium')
    assert.match(
      maintenance.risk?.message ?? '',
      /^10\.0\.0\.1 \(on eth0, configured by ifcfg, \/etc\/sysconfig\/network-scripts\/ifcfg-eth0:6\) reaches this node alone, but BIND does not answer on it/,
    )
  })

  test('a lab site run by preflight anycast (BIRD include, NSD, ifupdown): every check passes', async () => {
    const results = await resultsOn('anycast-lab-eu')
    for (const [id, result] of results)
      assert.equal(result.status, 'pass', `${id}: ${result.risks.map((r) => r.message).join(' ')}`)
    assert.deepEqual(results.get('loopback-missing')?.messages.slice(1), [
      '203.0.113.53/32: added to lo by preflight anycast (address = static).',
      '203.0.113.54/32: added to lo by preflight anycast (address = static).',
    ])
    assert.match(
      results.get('no-maintenance-ip')?.messages[0] ?? '',
      /^198\.51\.100\.65 \(announced from lo by BIRD protocol maint_lo over uplink, \/etc\/bird\/bird\.conf:23\) reaches this node alone, and NSD answers on it \(\/etc\/nsd\/nsd\.conf:6\)/,
    )
  })

  test('a half-done Debian node (template, named filter, networkd, NSD on the wildcard)', async () => {
    const results = await resultsOn('anycast-debian-partial')
    const statuses = Object.fromEntries([...results].map(([id, result]) => [id, result.status]))
    assert.deepEqual(statuses, {
      'export-unfiltered': 'pass',
      'summary-route': 'needs_action',
      'graceful-restart': 'pass',
      'slow-failover': 'needs_inspection',
      'dns-not-bound': 'needs_inspection',
      'loopback-missing': 'pass',
      'no-maintenance-ip': 'pass',
    })
    const summary = results.get('summary-route')
    assert.equal(summary?.risks.length, 1)
    assert.match(
      summary?.risks[0]?.message ?? '',
      /upstream_a .* and BGP protocol upstream_b .* export 203\.0\.113\.0\/24/,
    )
    const failover = results.get('slow-failover')
    assert.equal(failover?.risks.length, 2)
    assert.match(
      failover?.risks[0]?.message ?? '',
      /hold time 90 s \(\/etc\/bird\/bird\.conf:28\).*`bfd on` at \/etc\/bird\/bird\.conf:29 does nothing/,
    )
    assert.match(
      failover?.solution ?? '',
      /^Change `hold time 90` at \/etc\/bird\/bird\.conf:28 to `hold time 9; keepalive time 3;`/,
    )
    assert.match(
      results.get('dns-not-bound')?.risks[0]?.message ?? '',
      /served only through a wildcard: NSD: no ip-address: line/,
    )
    assert.match(
      results.get('no-maintenance-ip')?.messages[0] ?? '',
      /The DHCP address of eth0 reaches this node alone; NSD listens on every address/,
    )
  })

  test('not applicable without BIRD', async () => {
    const results = await resultsOn('debian12-clean')
    for (const result of results.values()) {
      assert.equal(result.status, 'notapplicable')
      assert.match(result.messages[0] ?? '', /^no BIRD configuration/)
    }
  })
})

// Decisions, on configurations written here.

const noAddresses: HostAddresses = { configured: [], dynamic: [], tools: [], warnings: [] }
const context = {} as CheckContext

function bird(text: string) {
  const { tokens, warnings } = tokenizeBirdConfig(text, '/etc/bird/bird.conf')
  return interpretBirdConfig('/etc/bird/bird.conf', ['/etc/bird/bird.conf'], tokens, warnings)
}

function daemon(text: string) {
  const { config, errors } = parseAnycastConfig(text, '/etc/preflight/anycast.conf')
  assert.deepEqual(errors, [])
  return config
}

function lo(...addresses: string[]): HostAddresses {
  return {
    ...noAddresses,
    configured: addresses.map((text, index) => {
      const [address = '', length = '32'] = text.split('/')
      return {
        address,
        family: 4,
        prefixLength: Number(length),
        interface: 'lo',
        tool: 'ifupdown',
        file: '/etc/network/interfaces',
        line: index + 1,
      }
    }),
    tools: [{ tool: 'ifupdown', files: ['/etc/network/interfaces'] }],
  }
}

const session = (options: string, exportPolicy = 'export where net ~ [ 203.0.113.53/32 ];') =>
  `protocol bgp up { local as 64501; neighbor 192.0.2.1 as 64500; ${options} ipv4 { import none; ${exportPolicy} }; }`
const staticAnycast = 'protocol static anycast { ipv4; route 203.0.113.53/32 via "lo"; }'

describe('anycast setup decisions', () => {
  test('ExaBGP, no BGP, nothing from lo exported: not an anycast node for these checks', () => {
    const exabgp = daemon(
      '[daemon]\nbackend = exabgp\n[service dns]\nprefix = 203.0.113.53/32\n[check dns tcp]\ntype = tcp\nport = 53\n',
    )
    assert.match(
      describeAnycastSetup(bird(staticAnycast + session('')), lo(), '/etc/preflight/anycast.conf', exabgp)
        .absentReason ?? '',
      /announces through ExaBGP/,
    )
    assert.equal(
      describeAnycastSetup(bird(staticAnycast), lo(), undefined, undefined).absentReason,
      '/etc/bird/bird.conf has no BGP protocol',
    )
    assert.equal(
      describeAnycastSetup(bird(staticAnycast + session('', 'export none;')), lo(), undefined, undefined)
        .absentReason,
      'no BGP protocol in /etc/bird/bird.conf exports a /32 or /128 of the loopback',
    )
  })

  test('gated exports are anycast, the others maintenance; without a gate all are anycast', () => {
    const config = bird(`
include "/etc/bird/gate.conf";
protocol direct anycast_lo { interface "lo"; ipv4 { import where net ~ [ 203.0.113.53/32 ]; }; }
protocol direct maint_lo { interface "lo"; ipv4 { import where net = 198.51.100.65/32; }; }
${session('', 'export where proto = "maint_lo" || (proto = "anycast_lo" && gate());')}`)
    config.declarations.functions.set('gate', {
      name: 'gate',
      params: [],
      body: [],
      at: { file: '/etc/bird/gate.conf', line: 1 },
    })
    const setup = describeAnycastSetup(config, lo('198.51.100.65/32'), undefined, undefined)
    assert.deepEqual(
      setup.prefixes.map((p) => p.prefix.text),
      ['203.0.113.53/32'],
    )
    assert.deepEqual(
      setup.maintenance.map((m) => m.address),
      ['198.51.100.65'],
    )
    const ungated = describeAnycastSetup(bird(staticAnycast + session('')), lo(), undefined, undefined)
    assert.deepEqual(
      ungated.prefixes.map((p) => p.prefix.text),
      ['203.0.113.53/32'],
    )
    assert.deepEqual(ungated.maintenance, [])
  })

  test('timers: BFD with a bfd protocol passes, hold 30 s passes, 31 s is medium, the default is high', () => {
    const run = (text: string) =>
      anycastSlowFailover.run(
        { anycastSetup: describeAnycastSetup(bird(staticAnycast + text), lo(), undefined, undefined) },
        context,
      )
    assert.equal(
      (run(`protocol bfd { interface "*"; }\n${session('bfd on;')}`) as { status: string }).status,
      'pass',
    )
    assert.equal((run(session('hold time 30;')) as { status: string }).status, 'pass')
    const medium = run(session('hold time 31;')) as { status: string; risks: { level: string }[] }
    assert.deepEqual([medium.status, medium.risks[0]?.level], ['fail', 'medium'])
    const high = run(session('')) as { status: string; risks: { level: string }[] }
    assert.deepEqual([high.status, high.risks[0]?.level], ['fail', 'high'])
  })

  test('graceful restart: the configured restart time is quoted; aware and off pass', () => {
    const run = (options: string) =>
      anycastGracefulRestart.run(
        {
          anycastSetup: describeAnycastSetup(
            bird(staticAnycast + session(options)),
            lo(),
            undefined,
            undefined,
          ),
        },
        context,
      ) as {
        status: string
        risks: { message: string }[]
      }
    assert.match(
      run('graceful restart yes; graceful restart time 300;').risks[0]?.message ?? '',
      /as stale for 300 s/,
    )
    assert.equal(run('graceful restart aware;').status, 'pass')
    assert.equal(run('').status, 'pass')
  })

  test('a lo address with a /24 mask gives a direct protocol a covering route', () => {
    const config = bird(
      `protocol direct anycast_lo { interface "lo"; ipv4; }\n${session('', 'export where net ~ [ 203.0.113.0/24+ ];')}`,
    )
    const setup = describeAnycastSetup(config, lo('203.0.113.53/32', '203.0.113.54/24'), undefined, undefined)
    const outcome = anycastSummaryRoute.run({ anycastSetup: setup }, context) as {
      status: string
      risks: { message: string }[]
      solution: string
    }
    assert.equal(outcome.status, 'fail')
    assert.match(
      outcome.risks[0]?.message ?? '',
      /exports 203\.0\.113\.0\/24, from an address on lo with a \/24 mask/,
    )
    assert.match(outcome.solution, /give the lo address a host mask \(\/32\)/)
  })

  test('loopback: on lo now but in no file is medium; a direct protocol missing its address is medium', () => {
    const live: HostAddresses = { ...noAddresses, kernel: [{ address: '203.0.113.53', family: 4 }] }
    const run = (setupBird: string, addresses: HostAddresses) =>
      anycastLoopbackMissing.run(
        {
          anycastSetup: describeAnycastSetup(bird(setupBird), addresses, undefined, undefined),
          hostAddresses: addresses,
        },
        context,
      ) as { status: string; risks: { level: string; message: string }[] }
    const reboot = run(staticAnycast + session(''), live)
    assert.deepEqual([reboot.risks[0]?.level], ['medium'])
    assert.match(reboot.risks[0]?.message ?? '', /is on lo now, but no network configuration brings it up/)
    const direct = run(
      `protocol direct anycast_lo { interface "lo"; ipv4 { import where net ~ [ 203.0.113.53/32 ]; }; }\n${session('')}`,
      noAddresses,
    )
    assert.equal(direct.risks[0]?.level, 'medium')
    assert.match(
      direct.risks[0]?.message ?? '',
      /announces it only while it is on lo, so this node does not serve it/,
    )
  })

  const nsd = (listen: string[], extra: Partial<DnsServer> = {}): DnsServer => ({
    software: 'NSD',
    configFile: '/etc/nsd/nsd.conf',
    files: ['/etc/nsd/nsd.conf'],
    listen: listen.map((address, index) => ({
      address,
      family: 4,
      port: 53,
      file: '/etc/nsd/nsd.conf',
      line: index + 3,
    })),
    namedListenOn: [],
    port: 53,
    familyOff: [],
    ...extra,
  })
  const unboundLocal: DnsServer = { ...nsd([]), software: 'Unbound', configFile: '/etc/unbound/unbound.conf' }
  const withDaemon = daemon(
    '[service dns]\nprefix = 203.0.113.53/32\n[check dns udp]\ntype = dns\nqname = lab.test\n',
  )

  test('DNS: NSD binding an address the daemon adds later needs ip-transparent; a local Unbound is left alone', () => {
    const setup = describeAnycastSetup(
      bird(staticAnycast + session('')),
      lo(),
      '/etc/preflight/anycast.conf',
      withDaemon,
    )
    const run = (servers: DnsServer[]) =>
      anycastDnsNotBound.run(
        { anycastSetup: setup, dnsServerConfig: { servers, warnings: [] } satisfies DnsServerConfig },
        context,
      ) as {
        status: string
        risks: { level: string; message: string }[]
        solution: string
      }
    const late = run([nsd(['203.0.113.53']), unboundLocal])
    assert.equal(late.status, 'fail')
    assert.match(
      late.risks[0]?.message ?? '',
      /NSD binds 203\.0\.113\.53 at start, but preflight anycast adds that address to lo only when it runs/,
    )
    assert.match(late.solution, /Add `ip-transparent: yes` to the server: clause of \/etc\/nsd\/nsd\.conf/)
    assert.doesNotMatch(late.solution, /unbound/)
    const transparent = run([
      nsd(['203.0.113.53'], { ipTransparent: { value: true, file: '/etc/nsd/nsd.conf', line: 9 } }),
    ])
    assert.equal(transparent.status, 'pass')
    const missing = run([nsd(['198.51.100.65']), unboundLocal])
    assert.equal(missing.risks[0]?.level, 'high')
    assert.match(
      missing.solution,
      /Add `ip-address: 203\.0\.113\.53` to the server: clause of \/etc\/nsd\/nsd\.conf/,
    )
    assert.match(
      missing.solution,
      /interface: 203\.0\.113\.53/,
      'no server serves anycast yet: both are offered the fix',
    )
  })

  test('maintenance: none at all, or no DNS server config', () => {
    const setup = describeAnycastSetup(
      bird(staticAnycast + session('')),
      lo('203.0.113.53/32'),
      undefined,
      undefined,
    )
    const none = anycastNoMaintenanceIp.run(
      { anycastSetup: setup, dnsServerConfig: { servers: [], warnings: [] } },
      context,
    ) as {
      status: string
      risks: { message: string }[]
    }
    assert.equal(none.status, 'fail')
    assert.match(
      none.risks[0]?.message ?? '',
      /no address besides the anycast ones \(203\.0\.113\.53\/32\) and loopback/,
    )
    const withEth0: HostAddresses = {
      ...lo('203.0.113.53/32'),
      configured: [
        ...lo('203.0.113.53/32').configured,
        {
          address: '192.0.2.2',
          family: 4,
          prefixLength: 30,
          interface: 'eth0',
          tool: 'ifupdown',
          file: '/etc/network/interfaces',
          line: 9,
        },
      ],
    }
    const setupEth0 = describeAnycastSetup(bird(staticAnycast + session('')), withEth0, undefined, undefined)
    const noDns = anycastNoMaintenanceIp.run(
      { anycastSetup: setupEth0, dnsServerConfig: { servers: [], warnings: [] } },
      context,
    )
    assert.equal((noDns as { status: string }).status, 'pass')
  })

  test('export all: the fix names the maintenance /32 too', () => {
    const config = bird(`
protocol direct anycast_lo { interface "lo"; ipv4 { import where net ~ [ 203.0.113.53/32 ]; }; }
protocol direct maint_lo { interface "lo"; ipv4 { import where net = 198.51.100.65/32; }; }
${session('', 'export all;')}`)
    const setup = describeAnycastSetup(
      config,
      lo('203.0.113.53/32', '198.51.100.65/32'),
      '/etc/preflight/anycast.conf',
      withDaemon,
    )
    const outcome = anycastExportUnfiltered.run({ anycastSetup: setup }, context) as { solution: string }
    assert.match(outcome.solution, /`export where net ~ \[ 203\.0\.113\.53\/32, 198\.51\.100\.65\/32 \];`/)
  })
})
