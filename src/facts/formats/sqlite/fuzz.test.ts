import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { runPython } from '../../../../test/helpers/python-dump.ts'
import { seededRandom } from '../../../anycast/seeded-random.ts'
import { parseCreateTable } from './parse-create-table.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'
import { walChecksum } from './wal-snapshot.ts'

// Mutation fuzzing with a fixed seed: every damaged input must read or fail with
// SqliteFormatError; a RangeError, TypeError or hang (the timeout) fails the test.
const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-sqlite-fuzz-'))
after(() => rmSync(scratch, { recursive: true, force: true }))
const hangGuard = { timeout: 120_000 }

const pageSize = 512
const file = path.join(scratch, 'fuzz.sqlite')
runPython(
  `import random, shutil, sqlite3, sys
random.seed(11)
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('pragma page_size=512')
con.execute('create table t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)')
con.execute('create index t_name on t (name)')
con.execute('create table Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
con.execute('create table kinds (v)')
con.execute('begin')
for i in range(80):
    con.execute('insert into t (name, data) values (?, ?)', ('name %d' % i, random.randbytes(random.randrange(0, 1500))))
for i in range(3):
    con.execute('insert into Packages (blob) values (?)', (random.randbytes(3000),))
for v in [None, 0, 1, -7, 300, 70000, 2**40, 2**62, 1.25, 'text', b'blob']:
    con.execute('insert into kinds values (?)', (v,))
con.execute('commit')
con.execute('pragma journal_mode=wal')
con.execute('pragma wal_autocheckpoint=0')
con.execute('begin')
con.execute("update t set name = 'in the wal' where id % 3 = 0")
con.execute('delete from t where id % 4 = 0')
con.execute('insert into Packages (blob) values (?)', (random.randbytes(2500),))
con.execute('commit')
shutil.copyfile(sys.argv[1], sys.argv[1] + '.main')
shutil.copyfile(sys.argv[1] + '-wal', sys.argv[1] + '.wal')`,
  file,
)
const main = readFileSync(`${file}.main`)
const wal = readFileSync(`${file}.wal`)

/** Whole numbers below `below` from a seeded PRNG, so that a failing iteration can be replayed. */
function prng(seed: number): (below: number) => number {
  const random = seededRandom(seed)
  return (below) => Math.floor(random() * below)
}

/** Reads everything a caller could; returns 'ok' or 'error' (a SqliteFormatError), rethrows anything else. */
function readAll(bytes: Uint8Array, walBytes?: Uint8Array): 'ok' | 'error' {
  try {
    const db = openSqliteDatabase(bytes, { name: 'fuzz.sqlite', wal: walBytes })
    for (const table of db.tables()) for (const row of db.rows(table.name)) assert.ok(row.values.length >= 0)
    return 'ok'
  } catch (error) {
    if (error instanceof SqliteFormatError) return 'error'
    throw error
  }
}

type Mutation = (bytes: Buffer, random: (below: number) => number) => Buffer

const pageNumbers = (pages: number) => [0, 1, 2, pages - 1, pages, pages + 1, 0x7fffffff, 0xffffffff]
const mutations: Record<string, Mutation> = {
  'random bytes': (bytes, random) => {
    for (let count = 1 + random(8); count > 0; count--) bytes[random(bytes.length)] = random(256)
    return bytes
  },
  header: (bytes, random) => {
    for (let count = 1 + random(3); count > 0; count--) bytes[random(100)] = random(256)
    return bytes
  },
  'page header or cell pointers': (bytes, random) => {
    const page = random(Math.floor(bytes.length / pageSize))
    const start = page * pageSize + (page === 0 ? 100 : 0)
    bytes[start + random(40)] = random(2) === 0 ? random(256) : 0xff
    return bytes
  },
  'page number': (bytes, random) => {
    const numbers = pageNumbers(Math.floor(bytes.length / pageSize))
    bytes.writeUInt32BE(numbers[random(numbers.length)] as number, random(bytes.length - 4))
    return bytes
  },
  'varint run': (bytes, random) => {
    const start = random(bytes.length - 9)
    bytes.fill(0xff, start, start + 1 + random(9))
    return bytes
  },
  truncation: (bytes, random) => bytes.subarray(0, random(bytes.length)),
}

for (const [kind, mutate] of Object.entries(mutations)) {
  test(`fuzz (${kind}): a damaged database reads or fails with SqliteFormatError`, hangGuard, () => {
    const random = prng(kind.length * 7919)
    const outcomes = { ok: 0, error: 0 }
    for (let iteration = 0; iteration < 500; iteration++) {
      const damaged = mutate(Buffer.from(main), random)
      try {
        outcomes[readAll(damaged)]++
      } catch (error) {
        assert.fail(`iteration ${iteration}: ${String(error)}\n${(error as Error).stack}`)
      }
    }
    assert.ok(outcomes.error > 0, `some damage is detected (${JSON.stringify(outcomes)})`)
  })
}

/** Rewrites every checksum of a WAL so that damaged frames still pass as valid ones. */
function resealed(bytes: Buffer): Buffer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const littleEndian = bytes.readUInt32BE(0) === 0x377f0682
  let checksum = walChecksum(view, 0, 24, littleEndian, 0, 0)
  bytes.writeUInt32BE(checksum[0], 24)
  bytes.writeUInt32BE(checksum[1], 28)
  for (let frame = 32; frame + 24 + pageSize <= bytes.length; frame += 24 + pageSize) {
    checksum = walChecksum(view, frame, frame + 8, littleEndian, ...checksum)
    checksum = walChecksum(view, frame + 24, frame + 24 + pageSize, littleEndian, ...checksum)
    bytes.writeUInt32BE(checksum[0], frame + 16)
    bytes.writeUInt32BE(checksum[1], frame + 20)
  }
  return bytes
}

test(
  'fuzz (WAL): damaged frames, with and without valid checksums, read or fail with SqliteFormatError',
  hangGuard,
  () => {
    assert.equal(readAll(main, wal), 'ok')
    const random = prng(2024)
    const frames = Math.floor((wal.length - 32) / (24 + pageSize))
    const outcomes = { ok: 0, error: 0 }
    for (let iteration = 0; iteration < 1000; iteration++) {
      const damaged = Buffer.from(wal)
      const frame = 32 + random(frames) * (24 + pageSize)
      if (random(2) === 0) {
        const numbers = pageNumbers(Math.floor(main.length / pageSize))
        damaged.writeUInt32BE(numbers[random(numbers.length)] as number, frame + 4 * random(2))
      } else {
        for (let count = 1 + random(6); count > 0; count--)
          damaged[frame + 24 + random(pageSize)] = random(256)
      }
      const input = random(4) === 0 ? damaged.subarray(0, random(damaged.length)) : resealed(damaged)
      try {
        outcomes[readAll(main, input)]++
      } catch (error) {
        assert.fail(`iteration ${iteration}: ${String(error)}\n${(error as Error).stack}`)
      }
    }
    assert.ok(outcomes.error > 0, `some damage is detected (${JSON.stringify(outcomes)})`)
  },
)

test('fuzz (CREATE TABLE text): the column parser never throws', () => {
  const random = prng(99)
  const sql =
    "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, \"blob\" BLOB NOT NULL DEFAULT (x'00'), [c] AS (1) STORED, CHECK (hnum > 0)) /* c */ -- end"
  const alphabet = `()[]"'\`,;-/* \nASKEYPRIMARYINTEGER`
  for (let iteration = 0; iteration < 3000; iteration++) {
    const chars = [...sql]
    for (let count = 1 + random(4); count > 0; count--) {
      const at = random(chars.length)
      if (random(2) === 0) chars.splice(at, 1)
      else chars.splice(at, 0, alphabet[random(alphabet.length)] as string)
    }
    const definition = parseCreateTable(chars.join(''))
    if (definition) assert.ok(Array.isArray(definition.columns))
  }
})
