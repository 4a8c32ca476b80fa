import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { pythonDump, readerDump, runPython } from '../../../../test/helpers/python-dump.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'

const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-sqlite-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

/**
 * Writes a database exercising every serial type, rowids up to ±2^63, text and blobs that
 * overflow (with payload sizes at the edges of the local/overflow split), thousands of rows
 * (interior pages), deleted rows (freelist pages), ALTER TABLE ADD
 * COLUMN and a stored generated column. Prints the depth of the deepest table b-tree.
 */
const generate = `
import random, sqlite3, sys
path, page_size, encoding, auto_vacuum = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
random.seed(7)
con = sqlite3.connect(path)
con.execute('pragma page_size=%d' % page_size)
con.execute('pragma auto_vacuum=%s' % auto_vacuum)
con.execute('pragma encoding="%s"' % encoding)
con.execute('create table "all values" (id INTEGER PRIMARY KEY, v, note TEXT)')
values = [None, 0, 1, -1, 2, 127, -128, 128, 32767, -32768, 32768, 8388607, -8388608, 8388608,
  2**31 - 1, -2**31, 2**31, 2**47 - 1, -2**47, 2**47, 2**53 - 1, -(2**53 - 1), 2**53, 2**53 + 1,
  -2**53 - 1, 2**63 - 1, -2**63, 0.0, -0.0, 1.5, -2.25, 0.1, 1e300, -1e-300, float('inf'),
  float('-inf'), 2.0, '', 'ascii', 'ünïcødé ✓ 😀', '\\ufeffwith a BOM', 'x' * 5000, b'',
  b'\\x00\\x01\\xff', bytes(range(256)) * 100]
for index, value in enumerate(values):
    con.execute('insert into "all values" values (?, ?, ?)', (index + 1, value, type(value).__name__))
con.execute('create table keys (a)')
for rowid in [-2**63, -5, 0, 3, 2**53 + 1, 2**62, 2**63 - 1]:
    con.execute('insert into keys (rowid, a) values (?, ?)', (rowid, rowid))
con.execute('create table many (n integer, label text, payload blob)')
for n in range(3000):
    con.execute('insert into many values (?, ?, ?)', (n, 'row %d' % n, random.randbytes(random.randrange(0, 300))))
con.execute('create table big (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
for n in range(40):
    con.execute('insert into big (blob) values (?)', (random.randbytes(random.randrange(1, 70000)),))
# Payload sizes around the limits of the local/overflow split (X = U - 35, and X + U - 4 where K = X).
con.execute('create table edges (blob)')
for target in [page_size - 35, 2 * page_size - 39]:
    for length in range(target - 12, target + 12):
        con.execute('insert into edges values (?)', (random.randbytes(length),))
con.execute('delete from many where n % 3 = 0')
con.execute('delete from big where hnum % 4 = 0')
con.execute('create table altered (a)')
con.execute("insert into altered values ('before')")
con.execute('alter table altered add column b')
con.execute("insert into altered values ('after', 42)")
con.execute('create table generated (a INTEGER, doubled INTEGER GENERATED ALWAYS AS (a * 2) STORED, c TEXT)')
con.execute("insert into generated (a, c) values (21, 'c')")
con.commit()
leaf_depth = "select max(length(path) - length(replace(path, '/', ''))) from dbstat where pagetype = 'leaf'"
print(con.execute(leaf_depth).fetchone()[0] + 1)
print(con.execute('pragma freelist_count').fetchone()[0])
`

interface Generated {
  file: string
  depth: number
  freePages: number
}
const databases = new Map<string, Generated>()

function generated(pageSize: number, encoding: string, autoVacuum = 'none'): Generated {
  const file = path.join(scratch, `generated-${pageSize}-${encoding}-${autoVacuum}.sqlite`)
  let database = databases.get(file)
  if (!database) {
    const [depth, freePages] = runPython(generate, file, String(pageSize), encoding, autoVacuum)
      .trim()
      .split('\n')
      .map(Number)
    database = { file, depth: depth as number, freePages: freePages as number }
    databases.set(file, database)
  }
  return database
}

// The incremental auto-vacuum database also has pointer-map pages, which the reader must skip.
for (const [pageSize, encoding, autoVacuum, textEncoding] of [
  [512, 'UTF-8', 'none', 'utf-8'],
  [1024, 'UTF-16le', 'incremental', 'utf-16le'],
  [4096, 'UTF-16be', 'none', 'utf-16be'],
  [65536, 'UTF-8', 'none', 'utf-8'],
] as const) {
  test(`every row of a ${pageSize}-byte-page ${encoding} database (auto-vacuum ${autoVacuum}) equals what SQLite reads`, () => {
    const { file, depth, freePages } = generated(pageSize, encoding, autoVacuum)
    const db = openSqliteDatabase(readFileSync(file), { name: file })
    assert.equal(db.pageSize, pageSize)
    assert.equal(db.textEncoding, textEncoding)
    assert.equal(db.walState, 'none')
    assert.ok(freePages > 0, 'the deletes left free pages')
    if (pageSize === 512) assert.ok(depth >= 3, `b-tree depth ${depth}`)
    const expected = pythonDump(file)
    assert.deepEqual(Object.keys(readerDump(db)), Object.keys(expected))
    assert.deepEqual(readerDump(db), expected)
  })
}

test('rows map to the declared columns; the INTEGER PRIMARY KEY column holds the rowid', () => {
  const { file } = generated(512, 'UTF-8')
  const db = openSqliteDatabase(readFileSync(file), { name: file })
  assert.deepEqual(db.columns('BIG'), [
    { name: 'hnum', type: 'INTEGER', rowidAlias: true, stored: true },
    { name: 'blob', type: 'BLOB', rowidAlias: false, stored: true },
  ])
  const [first] = db.rows('big')
  assert.equal(first?.rowid, 1)
  assert.equal(first?.values[0], 1)
  assert.ok(first?.values[1] instanceof Uint8Array)
  const keys = Array.from(db.rows('keys'), (row) => row.rowid)
  assert.deepEqual(keys, [-(2n ** 63n), -5, 0, 3, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n])
  assert.deepEqual(
    Array.from(db.rows('altered'), (row) => row.values),
    [
      ['before', null],
      ['after', 42],
    ],
  )
  assert.deepEqual(
    db.tables().map((table) => table.name),
    ['all values', 'keys', 'many', 'big', 'sqlite_sequence', 'edges', 'altered', 'generated'],
  )
  const schema = Array.from(db.rows('sqlite_master'), (row) => row.values.slice(0, 2))
  assert.deepEqual(schema[0], ['table', 'all values'])
})

test('a VIRTUAL generated column is not stored: it reads as NULL and the next column stays in place', () => {
  const file = path.join(scratch, 'virtual.sqlite')
  runPython(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('create table v (a INTEGER, doubled INTEGER AS (a * 2), c TEXT)')
con.execute("insert into v (a, c) values (21, 'c')")
con.commit()`,
    file,
  )
  const db = openSqliteDatabase(readFileSync(file), { name: file })
  assert.deepEqual(
    [...db.rows('v')].map((row) => row.values),
    [[21, null, 'c']],
  )
})

test('an unknown table is an error naming the file', () => {
  const { file } = generated(512, 'UTF-8')
  const db = openSqliteDatabase(readFileSync(file), { name: '/var/lib/rpm/rpmdb.sqlite' })
  assert.equal(db.table('Packages'), undefined)
  assert.throws(
    () => db.rows('Packages'),
    (error) =>
      error instanceof SqliteFormatError &&
      error.message === '/var/lib/rpm/rpmdb.sqlite: no table named Packages',
  )
})
