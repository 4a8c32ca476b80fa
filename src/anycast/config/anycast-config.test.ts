import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { parseAnycastConfig } from './anycast-config.ts'

const file = '/etc/preflight/anycast.conf'

/** The example block of docs/anycast.md: the documentation must stay a valid config. */
function docsExample(marker: string): string {
  const docs = readFileSync(new URL('../../../docs/anycast.md', import.meta.url), 'utf8')
  const start = docs.indexOf(`<!-- ${marker}`)
  assert.ok(start >= 0, `marker ${marker} missing in docs/anycast.md`)
  const fence = docs.indexOf('```', start)
  const body = docs.indexOf('\n', fence) + 1
  return docs.slice(body, docs.indexOf('```', body))
}

function errorsOf(text: string): string[] {
  const { config, errors } = parseAnycastConfig(text, file)
  assert.equal(config, undefined, 'expected the config to be rejected')
  return errors.map((error) => error.message)
}

const minimal = `
[service dns]
prefix = 192.0.2.1/32

[check dns udp]
type = dns
qname = example.org
`

describe('anycast config', () => {
  test('the example in docs/anycast.md parses into the blog setup', () => {
    const { config, errors } = parseAnycastConfig(docsExample('anycast-example-config'), file)
    assert.deepEqual(errors, [])
    assert.ok(config)
    assert.equal(config.daemon.backend, 'bird')
    assert.deepEqual(config.bird.confirmProtocols, ['uplink'])
    const [dns] = config.services
    assert.ok(dns)
    assert.deepEqual(
      dns.prefixes.map((p) => p.text),
      [
        '192.0.2.1/32',
        '192.0.2.2/32',
        '192.0.2.3/32',
        '2001:db8:53::1/128',
        '2001:db8:53::2/128',
        '2001:db8:53::3/128',
      ],
    )
    assert.equal(dns.birdProtocol, 'anycast_dns')
    assert.equal(dns.drainFile, '/etc/preflight/anycast.drain.dns')
    assert.deepEqual(
      dns.checks.map((c) => [c.name, c.probe.type]),
      [
        ['udp', 'dns'],
        ['tcp', 'dns'],
        ['udp6', 'dns'],
        ['addresses', 'address'],
      ],
    )
    const udp = dns.checks[0]?.probe
    assert.ok(udp?.type === 'dns')
    // The target defaults to the service's first host prefix, and the source to the target.
    assert.equal(udp.target, '192.0.2.1')
    assert.deepEqual(udp.source, { kind: 'target' })
    assert.equal(udp.qtype, 6)
    assert.equal(udp.expectAnswer, true)
    const udp6 = dns.checks[2]?.probe
    assert.ok(udp6?.type === 'dns')
    assert.equal(udp6.qtype, 2)
    assert.equal(dns.checks[3]?.timing.interval, 5000)
    assert.deepEqual(dns.checks[0]?.timing, {
      interval: 2000,
      fastInterval: 500,
      timeout: 1000,
      tries: 1,
      rise: 3,
      fall: 2,
    })
  })

  test('metrics-listen = off turns the metrics endpoint off', () => {
    const { config, errors } = parseAnycastConfig(`[daemon]\nmetrics-listen = off\n${minimal}`, file)
    assert.deepEqual(errors, [])
    assert.equal(config?.daemon.metricsListen, undefined)
  })

  test('defaults fill everything a minimal file leaves out', () => {
    const { config, errors } = parseAnycastConfig(minimal, file)
    assert.deepEqual(errors, [])
    assert.ok(config)
    assert.equal(config.daemon.controlSocket, '/run/preflight-anycast.sock')
    assert.deepEqual(config.daemon.metricsListen, { host: '127.0.0.1', port: 9274 })
    assert.equal(config.daemon.withdrawOnShutdown, true)
    assert.equal(config.bird.includeFile, '/etc/bird/anycast-preflight.conf')
    assert.deepEqual(config.dampening, {
      penalty: 1000,
      suppress: 2000,
      reuse: 750,
      halfLife: 30_000,
      maxSuppress: 300_000,
    })
    assert.equal(config.services[0]?.interface, 'lo')
    assert.equal(config.services[0]?.address, 'static')
    assert.deepEqual(config.services[0]?.require, { mode: 'all' })
  })

  test('IPv6 prefixes are stored in the spelling ip(8) prints', () => {
    const { config } = parseAnycastConfig(
      minimal.replace('192.0.2.1/32', '2001:DB8:0:0::53/128 192.0.2.1'),
      file,
    )
    assert.deepEqual(
      config?.services[0]?.prefixes.map((p) => p.text),
      ['2001:db8::53/128', '192.0.2.1/32'],
    )
  })

  test('each error names the line it is on, and all are reported in one run', () => {
    const text = [
      '[daemon]', // 1
      'backend = bird', // 2
      'metrics-listen = localhost', // 3
      'retry-max = 2 sec', // 4
      '', // 5
      '[service dns]', // 6
      'prefix = 192.0.2.1/33', // 7
      'prefix = 198.51.100.5/24', // 8
      'intervall = 2s', // 9
      'this line is not an entry', // 10
      '[check dns udp]', // 11
      'type = dns', // 12
      'qtype = BOGUS', // 13
      'fall = 0', // 14
      '[check web http]', // 15
      'type = http', // 16
    ].join('\n')
    assert.deepEqual(errorsOf(text), [
      `${file}:3: metrics-listen: expected host:port such as 127.0.0.1:9274 or [::1]:9274, or off, not 'localhost'`,
      `${file}:4: retry-max: expected a duration such as 500ms, 2s or 1m, not '2 sec'`,
      `${file}:7: '/33' is not a valid IPv4 prefix length (0-32)`,
      `${file}:8: 198.51.100.5/24 has host bits set (an anycast prefix is a network: use /32 for one address)`,
      `${file}:9: unknown key 'intervall' in [service dns]`,
      `${file}:10: expected 'key = value', a [section] header or a # comment: 'this line is not an entry'`,
      `${file}:11: [check dns udp] needs 'qname'`,
      `${file}:13: qtype: unknown DNS type 'BOGUS'`,
      `${file}:14: fall: expected a whole number from 1 to 100, not '0'`,
      `${file}:15: [check web http] names service 'web', which has no [service] section`,
    ])
  })

  test('cross-checks: repeated sections and keys, shared prefixes, quorum, fast interval, backend sections', () => {
    const text = [
      '[daemon]', // 1
      'backend = exabgp', // 2
      '[bird]', // 3
      '[service a]', // 4
      'prefix = 192.0.2.1/32', // 5
      'require = quorum 2', // 6
      'bird-protocol = anycast_a', // 7
      'interface = lo', // 8
      'interface = dummy0', // 9
      '[check a one]', // 10
      'type = tcp', // 11
      'port = 53', // 12
      'interval = 1s', // 13
      'fast-interval = 2s', // 14
      '[service b]', // 15
      'prefix = 192.0.2.1/32', // 16
      '[service a]', // 17
    ].join('\n')
    assert.deepEqual(errorsOf(text), [
      `${file}:3: [bird] is not used with backend = exabgp`,
      `${file}:6: quorum 2 needs at least 2 checks; service a has 1`,
      `${file}:7: bird-protocol is only used with backend = bird`,
      `${file}:9: 'interface' is set twice in [service a]`,
      `${file}:10: fast-interval (2000ms) is longer than interval (1000ms)`,
      `${file}:15: service b has no [check b NAME] section: it would never be announced`,
      `${file}:16: 192.0.2.1/32 is already a prefix of service a`,
      `${file}:17: [service a] repeats the section of line 4`,
    ])
  })

  test('dynamic addresses cannot be checked through themselves', () => {
    const text = `${minimal.replace('[service dns]', '[service dns]\naddress = dynamic')}\n[check dns maint]\ntype = dns\ntarget = 198.51.100.10\nqname = example.org\n`
    assert.deepEqual(errorsOf(text), [
      `${file}:6: check udp aims at 192.0.2.1, which address = dynamic removes while the service is down: aim it at another local address (e.g. the maintenance IP)`,
    ])
  })

  test('a check without a host prefix to aim at needs a target', () => {
    const text = minimal.replace('192.0.2.1/32', '198.51.100.0/24')
    assert.deepEqual(errorsOf(text), [
      `${file}:5: [check dns udp] needs 'target': service dns has no /32 or /128 prefix to aim at`,
    ])
  })

  test('an empty file says there is nothing to announce', () => {
    assert.deepEqual(errorsOf('# nothing\n'), [`${file}:1: no [service NAME] section: nothing to announce`])
  })

  test('every check type reads its own keys', () => {
    const text = `
[service web]
prefix = 192.0.2.80/32
[check web tcp]
type = tcp
port = 443
source = none
[check web udp]
type = udp
port = 123
payload = ping
[check web http]
type = http
url = http://192.0.2.80/health
expect-status = 200 300-399
expect-body = OK
[check web cmd]
type = command
command = test -e /run/web.ok
[check web addr]
type = address
addresses = 192.0.2.80/32 2001:db8::80/128
require = all
`
    // `require` is a service key, not a check key.
    assert.deepEqual(errorsOf(text), [`${file}:23: unknown key 'require' in [check web addr]`])
    const { config, errors } = parseAnycastConfig(text.replace('require = all\n', ''), file)
    assert.deepEqual(errors, [])
    const probes = config?.services[0]?.checks.map((c) => c.probe)
    assert.deepEqual(probes?.[0], { type: 'tcp', target: '192.0.2.80', port: 443, source: { kind: 'none' } })
    assert.deepEqual(probes?.[1], {
      type: 'udp',
      target: '192.0.2.80',
      port: 123,
      payload: 'ping',
      source: { kind: 'target' },
    })
    assert.deepEqual(probes?.[2], {
      type: 'http',
      url: 'http://192.0.2.80/health',
      expectStatus: [
        [200, 200],
        [300, 399],
      ],
      expectBody: 'OK',
      source: { kind: 'none' },
    })
    assert.deepEqual(probes?.[3], { type: 'command', command: 'test -e /run/web.ok' })
    const address = probes?.[4]
    assert.ok(address?.type === 'address')
    assert.deepEqual(
      address.addresses.map((p) => p.text),
      ['192.0.2.80/32', '2001:db8::80/128'],
    )
  })
})
