import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { birdUnavailable, type RunningBird, startRunningBird } from '../../test/helpers/running-bird.ts'
import { openHost } from '../host/host.ts'
import { tokenizeBirdConfig } from './bird-config/tokenize-bird-config.ts'
import { birdConfig, interpretBirdConfig } from './bird-config.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

function interpret(text: string) {
  const { tokens, warnings } = tokenizeBirdConfig(text, '/etc/bird/bird.conf')
  return interpretBirdConfig('/etc/bird/bird.conf', ['/etc/bird/bird.conf'], tokens, warnings)
}

function birdParse(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bird', ['-p', '-c', file], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    )
  })
}

const protocolsConfig = `
router id 192.0.2.2;
protocol device { }
protocol static { ipv4; route 203.0.113.53/32 via "lo"; }
protocol static static3 { ipv4; route 203.0.113.54/32 blackhole; }
protocol static { ipv4 { export none; }; route 203.0.113.0/24 blackhole; }
filter to_peers { accept; }
template bgp uplinks {
  local as 64501;
  hold time 9; keepalive time 3;
  graceful restart;
  bfd;
  ipv4 { import none; export where source = RTS_STATIC; };
}
protocol bgp from uplinks { neighbor 192.0.2.1 as 64500; }
protocol bgp peer2 from uplinks {
  neighbor 192.0.2.5 as 64500;
  graceful restart off;
  ipv4 { export filter to_peers; };
}
protocol bgp { local as 64501; neighbor 192.0.2.9 as 64500; hold time 240; bfd off; ipv4 { import none; export all; }; }
`

describe('protocols, names and channel filters agree with a running BIRD', {
  skip: birdUnavailable(),
}, () => {
  let bird: RunningBird
  let shown: string
  before(async () => {
    bird = await startRunningBird(protocolsConfig)
    shown = await bird.birdc('show', 'protocols', 'all')
  })
  after(() => bird?.stop())
  const parsed = interpret(protocolsConfig)

  test('unnamed protocols get the names BIRD gives them', () => {
    const running = [...shown.matchAll(/^(\S+)\s+(Device|Static|BGP)\s/gm)].map((m) => m[1])
    const ours = [
      ...parsed.routeSources.map((s) => s.protocol),
      ...parsed.bgpSessions.map((s) => s.protocol),
      'device1',
    ]
    assert.deepEqual([...ours].sort(), [...running].sort())
  })

  test('template channels merge key by key, as BIRD shows them', () => {
    const outputFilter = (name: string) =>
      new RegExp(`^${name}\\s[\\s\\S]*?Output filter:\\s+(\\S+)`, 'm').exec(shown)?.[1]
    const inputFilter = (name: string) =>
      new RegExp(`^${name}\\s[\\s\\S]*?Input filter:\\s+(\\S+)`, 'm').exec(shown)?.[1]
    const session = (name: string) => parsed.bgpSessions.find((s) => s.protocol === name)?.channels[0]
    assert.equal(session('peer2')?.export?.kind, 'filter')
    assert.equal(outputFilter('peer2'), 'to_peers')
    assert.equal(session('peer2')?.import?.kind, 'none')
    assert.equal(inputFilter('peer2'), 'REJECT')
    assert.equal(session('bgp1')?.export?.kind, 'where')
    assert.equal(outputFilter('bgp1'), '(unnamed)')
    assert.equal(session('bgp2')?.export?.kind, 'all')
    assert.equal(outputFilter('bgp2'), 'ACCEPT')
  })

  test('session options: the protocol overrides its template, the last value wins', () => {
    const [bgp1, peer2, bgp2] = parsed.bgpSessions
    assert.equal(bgp1?.holdTime?.value, 9)
    assert.equal(bgp1?.keepaliveTime?.value, 3)
    assert.equal(bgp1?.gracefulRestart?.value, 'on')
    assert.equal(bgp1?.bfd?.value, 'on')
    assert.equal(bgp1?.neighbor, '192.0.2.1')
    assert.equal(bgp1?.localAs, '64501')
    assert.equal(peer2?.gracefulRestart?.value, 'off')
    assert.equal(peer2?.gracefulRestart?.line, 18)
    assert.equal(bgp2?.holdTime?.value, 240)
    assert.equal(bgp2?.bfd?.value, 'off')
    assert.equal(bgp2?.gracefulRestart, undefined)
    assert.deepEqual(
      parsed.routeSources.flatMap((s) =>
        s.routes.map((r) => `${s.protocol} ${r.net.text} ${r.target} ${r.viaInterface ?? '-'}`),
      ),
      [
        'static1 203.0.113.53/32 via "lo" lo',
        'static3 203.0.113.54/32 blackhole -',
        'static2 203.0.113.0/24 blackhole -',
      ],
    )
  })
})

describe('includes and warnings', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'preflight-bird-include-'))
    await mkdir(path.join(root, 'etc/bird/conf.d'), { recursive: true })
    await writeFile(
      path.join(root, 'etc/bird/bird.conf'),
      'router id 192.0.2.2;\ninclude "gate.conf";\ninclude "/etc/bird/conf.d/*.conf";\ninclude "missing.conf";\nprotocol device { }\n',
    )
    await writeFile(path.join(root, 'etc/bird/gate.conf'), 'function gate() { return true; }\n')
    await writeFile(path.join(root, 'etc/bird/conf.d/20-b.conf'), 'protocol static b { ipv4; }\n')
    await writeFile(path.join(root, 'etc/bird/conf.d/10-a.conf'), 'protocol static a { ipv4; }\n')
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('relative includes are taken from the including file, globs in order; a missing file is a warning', async () => {
    const value = await birdConfig.collect({ host: openHost({ root }), progress: () => {} }, {})
    assert.equal(value.path, '/etc/bird/bird.conf')
    assert.deepEqual(value.files, [
      '/etc/bird/bird.conf',
      '/etc/bird/gate.conf',
      '/etc/bird/conf.d/10-a.conf',
      '/etc/bird/conf.d/20-b.conf',
    ])
    assert.ok(value.declarations.functions.has('gate'))
    assert.deepEqual(
      value.routeSources.map((s) => s.protocol),
      ['a', 'b'],
    )
    assert.deepEqual(value.warnings, [
      {
        file: '/etc/bird/bird.conf',
        line: 4,
        message: 'included file /etc/bird/missing.conf does not exist (BIRD refuses the configuration)',
      },
    ])
  })

  test('structural problems are warnings with file and line', () => {
    const value = interpret(
      'protocol bgp x from nope {\n  hold time soon;\n  ipv4 { export all; };\n}\nprotocol static {\n',
    )
    assert.deepEqual(value.warnings, [
      { file: '/etc/bird/bird.conf', line: 5, message: "'{' is never closed (BIRD refuses the file)" },
      { file: '/etc/bird/bird.conf', line: 1, message: "template 'nope' is not defined" },
      { file: '/etc/bird/bird.conf', line: 2, message: "expected a number of seconds after 'hold time'" },
    ])
  })

  test('no BIRD configuration: an empty fact', async () => {
    const value = await birdConfig.collect(
      { host: openHost({ root: path.join(roots, 'debian12-clean') }), progress: () => {} },
      {},
    )
    assert.equal(value.path, undefined)
    assert.deepEqual(value.bgpSessions, [])
  })
})

describe('the fixture roots hold configurations BIRD accepts', { skip: birdUnavailable() }, () => {
  for (const [root, file] of [
    ['anycast-lab-eu', 'etc/bird/bird.conf'],
    ['anycast-blog-naive', 'etc/bird.conf'],
    ['anycast-debian-partial', 'etc/bird/bird.conf'],
  ] as const) {
    test(`${root}: bird -p`, async () => {
      // Absolute includes point into the root: copy it and point them at the copy.
      const copy = await mkdtemp(path.join(tmpdir(), 'preflight-bird-fixture-'))
      try {
        await cp(path.join(roots, root), copy, { recursive: true })
        const main = path.join(copy, file)
        const text = await readFile(main, 'utf8')
        await writeFile(main, text.replaceAll('include "/', `include "${copy}/`))
        const parsed = await birdParse(main)
        assert.equal(parsed.code, 0, parsed.output)
      } finally {
        await rm(copy, { recursive: true, force: true })
      }
    })
  }
})
