/**
 * Malformed input must end in an RpmdbError (or parse): never a hang, a RangeError from a huge
 * allocation or an out-of-range read. Real headers and databases are mutated with a seeded PRNG,
 * biased towards the structure (lengths, offsets, page and slot fields), then read completely.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '../../../../src/anycast/seeded-random.ts'
import { parseHeader } from '../../../../src/facts/packages/rpm/header.ts'
import { readNdb } from '../../../../src/facts/packages/rpm/ndb.ts'
import { RpmPackage } from '../../../../src/facts/packages/rpm/rpm-package.ts'
import { parseRpmdb, type RpmdbBackend } from '../../../../src/facts/packages/rpm/rpmdb.ts'
import { RpmdbError } from '../../../../src/facts/packages/rpm/rpmdb-error.ts'

const fixtures = fileURLToPath(new URL('../../../fixtures/rpmdb/', import.meta.url))
const fixture = (dir: string, file: string) => readFileSync(path.join(fixtures, dir, file))

const interesting = [0, 1, 2, 0x10, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff]

/**
 * One mutated copy of `input`: random bytes, or an extreme 32-bit value, mostly inside `hot` (the
 * byte ranges holding lengths and offsets), now and then a truncation.
 */
function mutate(input: Buffer, random: () => number, hot: [number, number][]): Buffer {
  const pick = (n: number) => Math.floor(random() * n)
  if (random() < 0.05) return input.subarray(0, pick(input.length))
  const output = Buffer.from(input)
  const edits = 1 + pick(6)
  for (let i = 0; i < edits; i++) {
    const [from, to] =
      random() < 0.8 && hot.length > 0 ? (hot[pick(hot.length)] as [number, number]) : [0, output.length]
    const at = Math.min(output.length - 4, from + pick(Math.max(1, to - from)))
    if (at < 0) continue
    if (random() < 0.5) output[at] = pick(256)
    else {
      const value = random() < 0.7 ? (interesting[pick(interesting.length)] as number) : pick(2 ** 32)
      if (random() < 0.5) output.writeUInt32BE(value >>> 0, at)
      else output.writeUInt32LE(value >>> 0, at)
    }
  }
  return output
}

/** Reads everything a check could ask of a package. */
function exercise(pkg: RpmPackage): void {
  pkg.toInstalledPackage()
  pkg.files()
  pkg.fileNamesProblem()
  for (const kind of ['requires', 'provides', 'conflicts', 'obsoletes'] as const) pkg.dependencies(kind)
}

function expectOwnErrorOnly(run: () => void, what: string): void {
  try {
    run()
  } catch (error) {
    if (!(error instanceof RpmdbError))
      assert.fail(`${what}: ${error instanceof Error ? error.stack : String(error)}`)
  }
}

describe('fuzzing', { timeout: 120_000 }, () => {
  test('header blobs', () => {
    const blobs = [
      fixture('claircore-package-header', 'package.header'),
      fixture('header-blob', 'blob.bin'),
      ...readNdb(fixture('elroot-ndb', 'Packages.db'), 'Packages.db').map((record) => record.blob as Buffer),
    ]
    const random = seededRandom(0x5eed)
    for (let i = 0; i < 4000; i++) {
      const blob = blobs[i % blobs.length] as Buffer
      const indexEnd = 8 + blob.readUInt32BE(0) * 16
      const mutated = mutate(blob, random, [
        [0, indexEnd],
        [indexEnd, blob.length],
      ])
      expectOwnErrorOnly(
        () => exercise(new RpmPackage(parseHeader(mutated, 'blob'), 1, 'blob')),
        `header mutation ${i}`,
      )
    }
  })

  const databases: {
    dir: string
    file: string
    backend: RpmdbBackend
    iterations: number
    hot: (bytes: Buffer) => [number, number][]
  }[] = [
    { dir: 'elroot-bdb-le', file: 'Packages', backend: 'bdb', iterations: 1500, hot: bdbStructure },
    { dir: 'elroot-bdb-be', file: 'Packages', backend: 'bdb', iterations: 1500, hot: bdbStructure },
    { dir: 'many-bdb-be', file: 'Packages', backend: 'bdb', iterations: 150, hot: bdbStructure },
    { dir: 'elroot-ndb', file: 'Packages.db', backend: 'ndb', iterations: 1500, hot: ndbStructure },
    { dir: 'elroot-sqlite', file: 'rpmdb.sqlite', backend: 'sqlite', iterations: 300, hot: sqliteStructure },
  ]
  for (const { dir, file, backend, iterations, hot } of databases) {
    test(`${dir} (${backend})`, () => {
      const bytes = fixture(dir, file)
      const areas = hot(bytes)
      const random = seededRandom(dir.length * 7919)
      for (let i = 0; i < iterations; i++) {
        const mutated = mutate(bytes, random, areas)
        expectOwnErrorOnly(() => {
          for (const pkg of parseRpmdb(mutated, `/var/lib/rpm/${file}`, backend).packages) {
            expectOwnErrorOnly(() => exercise(pkg), `${dir} mutation ${i}, ${pkg.name}`)
          }
        }, `${dir} mutation ${i}`)
      }
    })
  }
})

/** The meta page, every page header and the index array after it. */
function bdbStructure(bytes: Buffer): [number, number][] {
  const pageSize = bytes.readUInt32LE(12) === 0x061561 ? bytes.readUInt32LE(20) : bytes.readUInt32BE(20)
  const areas: [number, number][] = [[0, 512]]
  for (let page = pageSize; page < bytes.length; page += pageSize) areas.push([page, page + 64])
  return areas
}

/** The file header, the slots and every blob's head and tail. */
function ndbStructure(bytes: Buffer): [number, number][] {
  const areas: [number, number][] = [[0, 4096]]
  for (let at = bytes.indexOf('BlbS'); at >= 0; at = bytes.indexOf('BlbS', at + 1)) areas.push([at, at + 48])
  for (let at = bytes.indexOf('BlbE'); at >= 0; at = bytes.indexOf('BlbE', at + 1))
    areas.push([at - 8, at + 4])
  return areas
}

/** The database header and the start of every page (b-tree page headers and cell pointers). */
function sqliteStructure(bytes: Buffer): [number, number][] {
  const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16)
  const areas: [number, number][] = [[0, 100]]
  for (let page = pageSize; page < bytes.length; page += pageSize) areas.push([page, page + 32])
  return areas
}
