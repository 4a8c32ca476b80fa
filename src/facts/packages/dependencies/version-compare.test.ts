// Both version orders against the real tools: rpm 4.18's own comparison (its Lua rpm.vercmp) and
// `dpkg --compare-versions`, on the known tricky cases and on a few hundred generated pairs; and
// rpm's range test against rpm's own dependency check on packages built with those ranges.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { seededRandom } from '../../../anycast/seeded-random.ts'
import { senseFlags } from '../rpm/tags.ts'
import { dpkgVersionCompare } from './dpkg-version-compare.ts'
import { parseRpmEvr, rpmRangesOverlap, rpmVersionCompare } from './rpm-version-compare.ts'

const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-vercmp-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const sign = (n: number) => Math.sign(n)

/**
 * rpm's answers for many pairs in one process. Versions without ':' and '-' keep rpm.vercmp's EVR
 * split out of the way, so it compares with rpmvercmp alone.
 */
function rpmOracle(pairs: readonly [string, string][]): number[] {
  const script = path.join(scratch, 'vercmp.lua')
  const quote = (s: string) => `"${s}"`
  writeFileSync(
    script,
    `${pairs.map(([a, b]) => `print(rpm.vercmp(${quote(a)}, ${quote(b)}) .. "\\n")`).join('\n')}\n`,
  )
  const output = execFileSync('rpm', ['--eval', `%{lua: dofile("${script}")}`], { encoding: 'utf8' })
  return output
    .trim()
    .split('\n')
    .map((line) => Number(line))
}

/** dpkg's answers: one `dpkg --compare-versions a lt b` per pair, run by one shell. */
function dpkgOracle(pairs: readonly [string, string][]): number[] {
  const input = pairs.map(([a, b]) => `${a} ${b}`).join('\n')
  const script =
    'while read a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done'
  const result = spawnSync('sh', ['-c', script], { input: `${input}\n`, encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => Number(line))
}

function pick(random: () => number, alphabet: string): string {
  return alphabet[Math.floor(random() * alphabet.length)] as string
}

function randomText(random: () => number, alphabet: string, maxLength: number): string {
  const length = 1 + Math.floor(random() * maxLength)
  let text = ''
  for (let i = 0; i < length; i++) text += pick(random, alphabet)
  return text
}

/** A second version close to the first (one character changed, added or removed), so pairs often tie for a while. */
function mutate(random: () => number, text: string, alphabet: string): string {
  const at = Math.floor(random() * (text.length + 1))
  const choice = random()
  if (choice < 0.4) return text.slice(0, at) + pick(random, alphabet) + text.slice(at + 1)
  if (choice < 0.8) return text.slice(0, at) + pick(random, alphabet) + text.slice(at)
  return text.slice(0, at) + text.slice(at + 1) || text
}

describe('rpmVersionCompare', () => {
  const known: [string, string, number][] = [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p1', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', '8', -1],
    ['1.05', '1.5', 0],
    ['1.010', '1.9', 1],
    ['1b', '1a', 1],
    ['1a', '1.0', -1],
    ['a+', 'a_', 0],
    ['+', '_', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.01', -1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^20160101^git1', '1.0^20160101', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0~rc1^git1', '1.0', -1],
    ['1.0^git1~pre', '1.0^git1', -1],
    ['el6', 'el6_5', -1],
    ['2.el6', '2.el6_5.1', -1],
    ['0.1', '0.01', 0],
    ['1.0', '1.0.', 0],
  ]

  test('the known tricky cases give the documented answer and the one rpm gives', () => {
    const fromRpm = rpmOracle(known.map(([a, b]) => [a, b]))
    known.forEach(([a, b, expected], index) => {
      assert.equal(rpmVersionCompare(a, b), expected, `${a} vs ${b}`)
      assert.equal(fromRpm[index], expected, `rpm says ${fromRpm[index]} for ${a} vs ${b}`)
    })
  })

  test('agrees with rpm on 600 generated pairs', () => {
    const random = seededRandom(20240601)
    const alphabet = '0012399aazZ..~~^^_+'
    const pairs: [string, string][] = []
    for (let i = 0; i < 600; i++) {
      const a = randomText(random, alphabet, 8)
      pairs.push([a, random() < 0.7 ? mutate(random, a, alphabet) : randomText(random, alphabet, 8)])
    }
    const fromRpm = rpmOracle(pairs)
    const disagreements = pairs
      .map(([a, b], index) => ({ a, b, ours: rpmVersionCompare(a, b), rpm: fromRpm[index] }))
      .filter(({ ours, rpm }) => ours !== rpm)
    assert.deepEqual(disagreements, [])
  })

  test('is antisymmetric', () => {
    for (const [a, b] of known) assert.equal(rpmVersionCompare(b, a), -rpmVersionCompare(a, b) || 0)
  })
})

describe('parseRpmEvr', () => {
  test('splits epoch, version and release as rpm does', () => {
    assert.deepEqual(parseRpmEvr('1:2.6-3.el6'), { epoch: '1', version: '2.6', release: '3.el6' })
    assert.deepEqual(parseRpmEvr('2.6'), { version: '2.6' })
    assert.deepEqual(parseRpmEvr(':2.6'), { epoch: '0', version: '2.6' })
    assert.deepEqual(parseRpmEvr('1.0-2-3'), { version: '1.0-2', release: '3' })
    assert.deepEqual(parseRpmEvr('a:1.0'), { version: 'a:1.0' })
  })
})

describe('rpmRangesOverlap', () => {
  const operators: Record<string, number> = {
    '<': senseFlags.LESS,
    '<=': senseFlags.LESS | senseFlags.EQUAL,
    '=': senseFlags.EQUAL,
    '>=': senseFlags.GREATER | senseFlags.EQUAL,
    '>': senseFlags.GREATER,
  }

  test("agrees with rpm's dependency check on 200 generated provide/require pairs", () => {
    const random = seededRandom(42424242)
    const versions = ['1', '1.0', '1.0a', '1.01', '2', '1.0~rc1', '1.0^g1', '10']
    const releases = ['1', '2', '1.el6', '1~b', '10']
    const evr = () =>
      `${random() < 0.3 ? `${Math.floor(random() * 3)}:` : ''}${versions[Math.floor(random() * versions.length)]}${random() < 0.6 ? `-${releases[Math.floor(random() * releases.length)]}` : ''}`
    const pairs = Array.from({ length: 200 }, (_, index) => ({
      capability: `cap${index}`,
      provided: random() < 0.15 ? '' : evr(),
      operator: Object.keys(operators)[Math.floor(random() * 5)] as string,
      required: evr(),
    }))
    const spec = (name: string, lines: string[]) =>
      `Name: ${name}\nVersion: 1\nRelease: 1\nSummary: ranges\nLicense: MIT\nBuildArch: noarch\nAutoReq: no\n${lines.join('\n')}\n%description\nranges\n%files\n`
    writeFileSync(
      path.join(scratch, 'provider.spec'),
      spec(
        'ranges-provider',
        pairs.map(({ capability, provided }) => `Provides: ${capability}${provided ? ` = ${provided}` : ''}`),
      ),
    )
    writeFileSync(
      path.join(scratch, 'requirer.spec'),
      spec(
        'ranges-requirer',
        pairs.map(({ capability, operator, required }) => `Requires: ${capability} ${operator} ${required}`),
      ),
    )
    const top = path.join(scratch, 'rpmbuild')
    for (const name of ['provider', 'requirer'])
      execFileSync(
        'rpmbuild',
        ['--define', `_topdir ${top}`, '--quiet', '-bb', path.join(scratch, `${name}.spec`)],
        {
          stdio: 'ignore',
        },
      )
    const root = path.join(scratch, 'ranges-root')
    const rpm = (...args: string[]) =>
      spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', ...args], { encoding: 'utf8' }).stdout
    rpm('--initdb')
    rpm(
      '-i',
      '--nodeps',
      '--noscripts',
      ...['provider', 'requirer'].map((name) =>
        path.join(top, 'RPMS/noarch', `ranges-${name}-1-1.noarch.rpm`),
      ),
    )
    const unsatisfied = new Set(
      [...rpm('-Va', '--nofiles').matchAll(/^\t(cap\d+) /gm)].map((match) => match[1]),
    )
    const disagreements = pairs
      .map((pair) => ({
        ...pair,
        ours: rpmRangesOverlap(
          { flags: pair.provided ? senseFlags.EQUAL : 0, version: pair.provided },
          { flags: operators[pair.operator] as number, version: pair.required },
        ),
        rpm: !unsatisfied.has(pair.capability),
      }))
      .filter(({ ours, rpm: fromRpm }) => ours !== fromRpm)
    assert.ok(
      unsatisfied.size > 30 && unsatisfied.size < 170,
      `a mix of met and unmet (${unsatisfied.size} unmet)`,
    )
    assert.deepEqual(disagreements, [])
  })
})

describe('dpkgVersionCompare', () => {
  const known: [string, string, number][] = [
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0+b1', -1],
    ['1.0a', '1.0+', -1],
    ['1.0', '1.0a', -1],
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.0-1', '1.0-1.1', -1],
    ['1.0-1', '1.0-01', 0],
    ['1.0', '1.0-0', 0],
    ['7.6p2-4', '7.6-0', 1],
    ['1.2.3', '1.2.3.0', -1],
    ['1.02', '1.2', 0],
    ['2.30-1', '2.3-1', 1],
    ['1.0-1~bpo1', '1.0-1', -1],
    ['10:1', '9:100', 1],
    ['1.18.2+dfsg-1', '1.18.2-1', 1],
  ]

  test('the known tricky cases give the documented answer and the one dpkg gives', () => {
    const fromDpkg = dpkgOracle(known.map(([a, b]) => [a, b]))
    known.forEach(([a, b, expected], index) => {
      assert.equal(sign(dpkgVersionCompare(a, b)), expected, `${a} vs ${b}`)
      assert.equal(fromDpkg[index], expected, `dpkg says ${fromDpkg[index]} for ${a} vs ${b}`)
    })
  })

  test('agrees with dpkg on 400 generated pairs', () => {
    const random = seededRandom(19931016)
    const upstream = '0012399aazZ..~~+'
    const revision = '0129ab.~+'
    const version = () =>
      `${random() < 0.2 ? `${Math.floor(random() * 3)}:` : ''}${pick(random, '0123456789')}${randomText(random, upstream, 6)}${random() < 0.5 ? `-${randomText(random, revision, 4)}` : ''}`
    const pairs: [string, string][] = []
    for (let i = 0; i < 400; i++) {
      const a = version()
      let b = random() < 0.7 ? mutate(random, a, upstream) : version()
      // a mutation may make the text invalid for dpkg (no leading digit, empty revision); start over then
      if (!/^(\d+:)?\d[A-Za-z0-9.+~]*(-[A-Za-z0-9.+~]+)?$/.test(b)) b = version()
      pairs.push([a, b])
    }
    const fromDpkg = dpkgOracle(pairs)
    const disagreements = pairs
      .map(([a, b], index) => ({ a, b, ours: sign(dpkgVersionCompare(a, b)), dpkg: fromDpkg[index] }))
      .filter(({ ours, dpkg }) => ours !== dpkg)
    assert.deepEqual(disagreements, [])
  })
})
