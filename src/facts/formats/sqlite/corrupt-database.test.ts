import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { runPython } from '../../../../test/helpers/python-dump.ts'
import { readVarint } from './read-varint.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'
import { localPayloadSize } from './table-cells.ts'

const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-sqlite-corrupt-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const name = '/mnt/root/var/lib/rpm/rpmdb.sqlite'
const pageSize = 512
const file = path.join(scratch, 'small.sqlite')
// t: an interior root over leaves of 40-byte blobs; o: one 20 kB blob (an overflow chain);
// w: a WITHOUT ROWID table. Prints the root pages.
const roots = runPython(
  `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('pragma page_size=512')
con.execute('create table t (id INTEGER PRIMARY KEY, data BLOB)')
con.execute('create table o (data BLOB)')
con.execute('create table w (k TEXT PRIMARY KEY, v) without rowid')
for i in range(60):
    con.execute('insert into t (data) values (?)', (bytes([i]) * 40,))
con.execute('insert into o values (?)', (bytes(range(256)) * 80,))
con.execute("insert into w values ('k', 1)")
con.commit()
print(' '.join(str(r[0]) for r in con.execute("select rootpage from sqlite_master where name in ('t', 'o') order by name desc")))`,
  file,
)
  .trim()
  .split(' ')
  .map(Number) as [number, number]
const [tRoot, oRoot] = roots
const original = readFileSync(file)

function pageStart(page: number): number {
  return (page - 1) * pageSize
}

/** Reads everything a caller could: the schema, every table's columns and rows. */
function readAll(bytes: Uint8Array): void {
  const db = openSqliteDatabase(bytes, { name })
  for (const table of db.tables()) {
    db.columns(table.name)
    if (table.name !== 'w') Array.from(db.rows(table.name))
  }
}

function assertFormatError(bytes: Uint8Array, message: RegExp, page?: number): void {
  assert.throws(
    () => readAll(bytes),
    (error) => {
      assert.ok(error instanceof SqliteFormatError, String(error))
      assert.ok(error.message.startsWith(`${name}: `), error.message)
      assert.match(error.message, message)
      assert.equal(error.page, page)
      return true
    },
  )
}

function edited(edit: (bytes: Buffer) => void): Buffer {
  const bytes = Buffer.from(original)
  edit(bytes)
  return bytes
}

/** The first cell of the leaf page `page` of table o: where its overflow page number is stored. */
function overflowPointerOffset(bytes: Buffer, page: number): number {
  const cell = pageStart(page) + bytes.readUInt16BE(pageStart(page) + 8)
  const size = readVarint(bytes, cell, bytes.length)
  const rowid = readVarint(bytes, cell + size.length, bytes.length)
  return cell + size.length + rowid.length + localPayloadSize(size.value, pageSize)
}

test('the small database reads cleanly before it is damaged', () => {
  readAll(original)
})

test('header damage: empty, short, bad magic, page size, reserved bytes, versions, encoding', () => {
  assertFormatError(new Uint8Array(0), /empty file \(0 bytes\)/)
  assertFormatError(original.subarray(0, 60), /truncated: 60 bytes, a SQLite header needs 100/)
  assertFormatError(
    edited((b) => b.write('SQLite format 4', 0)),
    /not a SQLite 3 database \(bad magic string\)/,
  )
  assertFormatError(
    edited((b) => b.writeUInt16BE(1000, 16)),
    /invalid page size 1000/,
  )
  assertFormatError(
    edited((b) => b.writeUInt8(40, 20)),
    /usable page size 472 is below the minimum/,
  )
  assertFormatError(
    edited((b) => b.writeUInt8(3, 19)),
    /unknown file format read version 3/,
  )
  assertFormatError(
    edited((b) => b.writeUInt8(63, 21)),
    /payload fractions 63\/32\/32/,
  )
  assertFormatError(
    edited((b) => b.writeUInt32BE(5, 44)),
    /unknown schema format 5/,
  )
  assertFormatError(
    edited((b) => b.writeUInt32BE(4, 56)),
    /unknown text encoding 4/,
  )
})

test('a truncated file is named as truncated, with the page counts', () => {
  const pages = original.length / pageSize
  assertFormatError(
    original.subarray(0, 3 * pageSize),
    new RegExp(`truncated: the header says ${pages} pages of 512 bytes, the file holds 3`),
  )
})

test('a b-tree that points back to itself or outside the file is an error, not a hang', () => {
  assert.equal(original[pageStart(tRoot)], 0x05, 'the root of t is an interior page')
  assertFormatError(
    edited((b) => b.writeUInt32BE(tRoot, pageStart(tRoot) + 8)),
    new RegExp(`refers to page ${tRoot} a second time`),
    tRoot,
  )
  assertFormatError(
    edited((b) => b.writeUInt32BE(0x7fffffff, pageStart(tRoot) + 8)),
    /refers to page 2147483647, outside the database/,
    tRoot,
  )
  assertFormatError(
    edited((b) => b.writeUInt8(0x02, pageStart(tRoot))),
    /not a table b-tree page \(type 0x02\)/,
    tRoot,
  )
  assertFormatError(
    edited((b) => b.writeUInt16BE(0xfff0, pageStart(tRoot) + 12)),
    /cell 0 points outside the cell content area \(offset 65520\)/,
    tRoot,
  )
  assertFormatError(
    edited((b) => b.writeUInt16BE(2000, pageStart(tRoot) + 3)),
    /2000 cell pointers do not fit the page/,
    tRoot,
  )
})

test('overflow chains: a loop, an early end and a payload size larger than the file', () => {
  const pointer = overflowPointerOffset(original, oRoot)
  const firstOverflow = original.readUInt32BE(pointer)
  assertFormatError(
    edited((b) => b.writeUInt32BE(firstOverflow, pageStart(firstOverflow))),
    new RegExp(`refers to page ${firstOverflow} a second time`),
    firstOverflow,
  )
  assertFormatError(
    edited((b) => b.writeUInt32BE(0, pageStart(firstOverflow))),
    /overflow chain ends after \d+ of 20484 bytes/,
    oRoot,
  )
  const cell = pageStart(oRoot) + original.readUInt16BE(pageStart(oRoot) + 8)
  assert.equal(readVarint(original, cell, original.length).length, 3)
  assertFormatError(
    edited((b) => b.set([0xff, 0xff, 0x7f], cell)),
    /payload size 2097151 is larger than the whole database/,
    oRoot,
  )
})

test('record damage: a reserved serial type, a value longer than its payload', () => {
  const leaf = original.readUInt32BE(pageStart(tRoot) + original.readUInt16BE(pageStart(tRoot) + 12))
  const cell = pageStart(leaf) + original.readUInt16BE(pageStart(leaf) + 8)
  // payload size, rowid, record header size, NULL (the rowid alias), then the blob's serial type
  const blobType = cell + 4
  assert.equal(original[blobType], 12 + 2 * 40)
  assertFormatError(
    edited((b) => b.writeUInt8(10, blobType)),
    /record: reserved serial type 10/,
    leaf,
  )
  assertFormatError(
    edited((b) => b.writeUInt8(13 + 2 * 57, blobType)),
    /record: value of 57 bytes runs past the 43-byte payload/,
    leaf,
  )
})

test('a WITHOUT ROWID table is refused by name', () => {
  const db = openSqliteDatabase(original, { name })
  assert.deepEqual(db.columns('w'), [
    { name: 'k', type: 'TEXT', rowidAlias: false, stored: true },
    { name: 'v', type: '', rowidAlias: false, stored: true },
  ])
  assert.throws(() => db.rows('w'), /rpmdb.sqlite: table w is a WITHOUT ROWID table/)
})
