import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { birdUnavailable, type RunningBird, startRunningBird } from '../../../test/helpers/running-bird.ts'
import { parsePrefix } from '../../anycast/ip-prefix.ts'
import { interpretBirdConfig } from '../bird-config.ts'
import { evaluatePolicy } from './evaluate-bird-filter.ts'
import { tokenizeBirdConfig } from './tokenize-bird-config.ts'

function config(text: string) {
  const { tokens, warnings } = tokenizeBirdConfig(text, '/etc/bird/bird.conf')
  return interpretBirdConfig('/etc/bird/bird.conf', ['/etc/bird/bird.conf'], tokens, warnings)
}

/** Routes, filters and functions in the shapes anycast configs use; BIRD itself says which pass. */
const oracleConfig = `
router id 192.0.2.1;
define ANYCAST = [ 203.0.113.53/32, 203.0.113.54/32 ];
define SUMMARY = 203.0.113.0/24;
function is_anycast() { return net ~ ANYCAST; }
function in_block(prefix p) { return net ~ p && net.len = 32; }
function gate() { if net ~ [ 198.51.100.0/24{26,32} ] then return true; return false; }
protocol device { }
protocol static anycast {
  ipv4;
  route 203.0.113.53/32 blackhole;
  route 203.0.113.54/32 blackhole;
  route 203.0.113.0/24 blackhole;
  route 203.0.113.128/25 blackhole;
}
protocol static maint {
  ipv4;
  route 198.51.100.65/32 blackhole;
  route 198.51.100.0/24 blackhole;
  route 198.51.100.64/26 blackhole;
}
protocol static {
  ipv4;
  route 10.0.0.0/8 blackhole;
  route 0.0.0.0/0 blackhole;
}
filter f_anycast_only { if is_anycast() then accept; reject; }
filter f_lab {
  if proto = "maint" && net.len = 32 then accept;
  if proto = "anycast" && is_anycast() then { accept; }
  reject;
}
filter f_plus { if net ~ [ 203.0.113.0/24+ ] then accept; else reject; }
filter f_minus { if net ~ [ 203.0.113.53/32- ] then accept; reject; }
filter f_len { if net.len <= 24 || source != RTS_STATIC then reject; accept; }
filter f_fallthrough { if net = 10.0.0.0/8 then accept; }
filter f_param { if in_block(SUMMARY) then accept; reject; }
filter f_range { if gate() then accept; reject; }
filter f_not { if !(net ~ ANYCAST) && net != 0.0.0.0/0 then accept; reject; }
filter f_ip { if net.ip ~ 203.0.113.0/24 then accept; reject; }
filter f_proto_glob { if proto ~ "an*" then accept; reject; }
`

describe('filters evaluated from the configuration agree with a running BIRD', {
  skip: birdUnavailable(),
}, () => {
  let bird: RunningBird
  before(async () => {
    bird = await startRunningBird(oracleConfig)
  })
  after(() => bird?.stop())

  const parsed = config(oracleConfig)
  const routes = parsed.routeSources.flatMap((source) =>
    source.routes.map((route) => ({ net: route.net, proto: source.protocol, source: 'RTS_STATIC' })),
  )

  for (const name of parsed.declarations.filters.keys()) {
    test(`filter ${name}`, async () => {
      const output = await bird.birdc('show', 'route', 'filter', name)
      const birdAccepts = [...output.matchAll(/^(\d+\.\d+\.\d+\.\d+\/\d+)\s/gm)].map((m) => m[1]).sort()
      const ours = routes.map((route) => ({
        route,
        result: evaluatePolicy(
          { kind: 'filter', name, at: { file: 'f', line: 1 } },
          'none',
          route,
          parsed.declarations,
        ),
      }))
      assert.deepEqual(
        ours.filter(({ result }) => result.verdict === 'unknown').map(({ route }) => route.net.text),
        [],
        'every verdict is decided',
      )
      assert.deepEqual(
        ours
          .filter(({ result }) => result.verdict === 'accept')
          .map(({ route }) => route.net.text)
          .sort(),
        birdAccepts,
      )
    })
  }
})

describe('evaluatePolicy', () => {
  const lab = config(`
include "/etc/bird/anycast-export.conf";
define MAINT = 198.51.100.65/32;
function unknown_attr() { return bgp_path.len > 2; }
filter uses_attr { if unknown_attr() then accept; reject; }
filter uses_case { case net.len { 32: accept; else: reject; } }
protocol static s { ipv4; route 203.0.113.53/32 blackhole; }
protocol bgp up {
  local as 64501; neighbor 192.0.2.1 as 64500;
  ipv4 { export where net = MAINT || (proto = "anycast_lo" && anycast_export()); };
}
`)
  const bgp = lab.bgpSessions[0]?.channels[0]?.export
  const route = (net: string, proto: string) => ({ net: parsePrefix(net), proto, source: 'RTS_DEVICE' })

  test('a call to an undeclared function is unknown, unless a gate answers it', () => {
    assert.equal(
      evaluatePolicy(bgp, 'none', route('203.0.113.53/32', 'anycast_lo'), lab.declarations).verdict,
      'unknown',
    )
    const gates = new Map([['anycast_export', [parsePrefix('203.0.113.53/32')]]])
    const gated = evaluatePolicy(bgp, 'none', route('203.0.113.53/32', 'anycast_lo'), lab.declarations, {
      gates,
    })
    assert.equal(gated.verdict, 'accept')
    assert.equal(
      evaluatePolicy(bgp, 'none', route('203.0.113.54/32', 'anycast_lo'), lab.declarations, { gates })
        .verdict,
      'reject',
    )
  })

  test('&& and || short-circuit: the skipped side is not consulted', () => {
    const maint = evaluatePolicy(bgp, 'none', route('198.51.100.65/32', 'maint_lo'), lab.declarations)
    assert.equal(maint.verdict, 'accept')
    assert.deepEqual(
      maint.consulted.map((symbol) => symbol.name),
      ['MAINT'],
    )
    const other = evaluatePolicy(bgp, 'none', route('192.0.2.0/24', 'kernel1'), lab.declarations)
    assert.equal(other.verdict, 'reject')
  })

  test('BGP attributes and case statements are unknown; absent policies take the default', () => {
    const policy = (name: string) => ({ kind: 'filter' as const, name, at: { file: 'f', line: 1 } })
    assert.equal(
      evaluatePolicy(policy('uses_attr'), 'none', route('203.0.113.53/32', 's'), lab.declarations).verdict,
      'unknown',
    )
    assert.equal(
      evaluatePolicy(policy('uses_case'), 'none', route('203.0.113.53/32', 's'), lab.declarations).verdict,
      'unknown',
    )
    assert.equal(
      evaluatePolicy(policy('no_such_filter'), 'none', route('203.0.113.53/32', 's'), lab.declarations)
        .verdict,
      'unknown',
    )
    assert.equal(
      evaluatePolicy(undefined, 'none', route('203.0.113.53/32', 's'), lab.declarations).verdict,
      'reject',
    )
    assert.equal(
      evaluatePolicy(undefined, 'all', route('203.0.113.53/32', 's'), lab.declarations).verdict,
      'accept',
    )
  })
})
