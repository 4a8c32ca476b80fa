import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { docsBirdConfig } from '../../../test/helpers/bird-lab.ts'
import { parsePrefix } from '../ip-prefix.ts'
import { renderBirdInclude } from './bird-include.ts'
import type { RouteIntent } from './routing-backend.ts'

const intents: RouteIntent[] = [
  {
    service: 'dns',
    announce: true,
    prefixes: ['192.0.2.1/32', '192.0.2.2/32', '2001:db8:53::1/128'].map(parsePrefix),
  },
  { service: 'web', announce: false, prefixes: ['198.51.100.80/32'].map(parsePrefix) },
  { service: 'ntp', announce: true, prefixes: ['2001:db8:123::/48'].map(parsePrefix) },
]

/** `bird -p` parses a configuration and exits: the real BIRD 2.0.12 as the judge of our syntax. */
function birdParses(config: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('bird', ['-p', '-c', config], (error, stdout, stderr) =>
      resolve({ ok: !error, output: stdout + stderr }),
    )
  })
}

describe('BIRD include file', () => {
  let directory: string
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'preflight-bird-include-'))
  })
  after(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  test('one test per service and address family, withdrawn services only in the comment', () => {
    const text = renderBirdInclude('preflight_anycast_export', intents, '/etc/preflight/anycast.conf')
    assert.equal(
      text,
      [
        '# Written by preflight anycast (/etc/preflight/anycast.conf). Do not edit: the daemon rewrites this file',
        '# whenever a service is announced or withdrawn.',
        '# announced: dns (192.0.2.1/32 192.0.2.2/32 2001:db8:53::1/128), ntp (2001:db8:123::/48)',
        '# withdrawn: web (198.51.100.80/32)',
        'function preflight_anycast_export()',
        '{',
        '  # dns',
        '  if net ~ [ 192.0.2.1/32, 192.0.2.2/32 ] then return true;',
        '  if net ~ [ 2001:db8:53::1/128 ] then return true;',
        '  # ntp',
        '  if net ~ [ 2001:db8:123::/48 ] then return true;',
        '  return false;',
        '}',
        '',
      ].join('\n'),
    )
  })

  for (const [name, set] of [
    ['announcing', intents],
    ['withdrawing everything', intents.map((intent) => ({ ...intent, announce: false }))],
  ] as const) {
    test(`BIRD 2.0.12 accepts the include (${name}) inside the docs' bird.conf`, async () => {
      const include = path.join(directory, `${name.replace(/\W/g, '-')}.conf`)
      await writeFile(include, renderBirdInclude('preflight_anycast_export', set, 'test'))
      const config = path.join(directory, `bird-${name.replace(/\W/g, '-')}.conf`)
      await writeFile(config, await docsBirdConfig(include, path.join(directory, 'bird.log')))
      const result = await birdParses(config)
      assert.ok(result.ok, result.output)
    })
  }

  test('a typed function (pitfall 7) is what BIRD 2.0.12 would reject: the oracle does say no', async () => {
    const include = path.join(directory, 'typed.conf')
    await writeFile(include, 'function preflight_anycast_export() -> bool\n{\n  return false;\n}\n')
    const config = path.join(directory, 'bird-typed.conf')
    await writeFile(config, await docsBirdConfig(include, path.join(directory, 'bird.log')))
    const result = await birdParses(config)
    assert.equal(result.ok, false)
    assert.match(result.output, /typed\.conf:1/)
  })
})
