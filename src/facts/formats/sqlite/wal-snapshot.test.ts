import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import {
  parseDumps,
  pythonDump,
  pythonDumpFunction,
  readerDump,
  runPython,
  type TableDump,
} from '../../../../test/helpers/python-dump.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'

const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-sqlite-wal-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const pageSize = 4096
const frameSize = 24 + pageSize

/**
 * A WAL-mode database without automatic checkpoints: a checkpointed base (state 0), then two
 * committed transactions (states 1, 2) that live only in the WAL; the main file and the WAL are
 * copied while the connection is open, as a live host would show them. Then a transaction that
 * spills uncommitted frames into the WAL is copied while still open. Prints the four states as
 * seen by SQLite, then the WAL size after each commit, the spilled WAL size and the page count.
 */
const history = `${pythonDumpFunction}
import json, os, random, shutil
db, copy = sys.argv[1], sys.argv[2]
random.seed(3)
con = sqlite3.connect(db, isolation_level=None)
con.execute('pragma journal_mode=wal')
con.execute('pragma wal_autocheckpoint=0')
con.execute('create table t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)')
con.execute('begin')
for i in range(100):
    con.execute('insert into t (name, data) values (?, ?)', ('base %d' % i, random.randbytes(random.randrange(0, 6000))))
con.execute('commit')
con.execute('pragma wal_checkpoint(TRUNCATE)')
dump(con)
sizes = []
con.execute('begin')
con.execute("update t set name = 'updated ' || id where id % 7 = 0")
con.execute('delete from t where id % 5 = 0')
for i in range(20):
    con.execute('insert into t (name, data) values (?, ?)', ('wal %d' % i, random.randbytes(9000)))
con.execute('create table added (key TEXT, hnum INTEGER)')
con.execute("insert into added values ('only in the wal', 1)")
con.execute('commit')
sizes.append(os.path.getsize(db + '-wal'))
dump(con)
con.execute('begin')
con.execute('update t set data = ? where id < 40', (random.randbytes(2000),))
con.execute("insert into added values ('second commit', 2)")
con.execute('commit')
sizes.append(os.path.getsize(db + '-wal'))
dump(con)
shutil.copyfile(db, copy)
shutil.copyfile(db + '-wal', copy + '-wal')
page_count = con.execute('pragma page_count').fetchone()[0]
con.execute('pragma cache_size=5')
con.execute('begin')
for i in range(200):
    con.execute('insert into t (name, data) values (?, ?)', ('never committed %d' % i, random.randbytes(3000)))
shutil.copyfile(db + '-wal', copy + '-spilled-wal')
dump(sqlite3.connect(db))
con.execute('rollback')
sizes.append(os.path.getsize(copy + '-spilled-wal'))
sizes.append(page_count)
print(json.dumps(sizes))
`

function runHistory(): { main: Buffer; wal: Buffer; spilled: Buffer; states: TableDump[]; sizes: number[] } {
  const copy = path.join(scratch, 'history-copy.db')
  const lines = runPython(history, path.join(scratch, 'history.db'), copy).trim().split('\n')
  const sizes = JSON.parse(lines.pop() as string) as number[]
  return {
    main: readFileSync(copy),
    wal: readFileSync(`${copy}-wal`),
    spilled: readFileSync(`${copy}-spilled-wal`),
    states: parseDumps(lines.join('\n')),
    sizes,
  }
}

const { main, wal, spilled, states, sizes } = runHistory()
const [afterTransaction1, afterTransaction2, spilledSize, pageCount] = sizes as [
  number,
  number,
  number,
  number,
]
const [base, state1, state2, committedWhileSpilling] = states as [TableDump, TableDump, TableDump, TableDump]
const name = '/var/lib/rpm/rpmdb.sqlite'

function read(walBytes: Uint8Array | undefined) {
  const db = openSqliteDatabase(main, { name, wal: walBytes })
  return { state: readerDump(db), walState: db.walState, pageCount: db.pageCount }
}

/** A copy with the bits of `mask` flipped in the byte at `offset`. */
function flipped(bytes: Uint8Array, offset: number, mask: number): Buffer {
  const copy = Buffer.from(bytes)
  copy.writeUInt8(copy.readUInt8(offset) ^ mask, offset)
  return copy
}

test('the committed WAL frames override the main file, as SQLite reads them with the connection open', () => {
  assert.notDeepEqual(base, state2)
  assert.deepEqual(read(wal), { state: state2, walState: 'applied', pageCount })
})

test('without its WAL the main file reads as the checkpointed state', () => {
  const mainOnly = path.join(scratch, 'main-only.db')
  copyFileSync(path.join(scratch, 'history-copy.db'), mainOnly)
  assert.deepEqual(pythonDump(mainOnly), base)
  assert.deepEqual(read(undefined).state, base)
  assert.deepEqual(read(new Uint8Array(0)), { ...read(undefined), walState: 'none' })
})

test('frames after the last commit are ignored: a WAL cut inside a transaction reads as the commit before', () => {
  assert.deepEqual(read(wal.subarray(0, afterTransaction1)).state, state1)
  assert.deepEqual(read(wal.subarray(0, afterTransaction1 + 2 * frameSize + 100)).state, state1)
  assert.deepEqual(read(wal.subarray(0, afterTransaction2 - 1)).state, state1)
  assert.deepEqual(read(wal.subarray(0, 32 + frameSize)), {
    state: base,
    walState: 'ignored',
    pageCount: read(undefined).pageCount,
  })
})

test('uncommitted frames spilled by an open transaction are ignored', () => {
  assert.ok(spilledSize > afterTransaction2, 'the open transaction wrote frames')
  assert.deepEqual(committedWhileSpilling, state2)
  assert.deepEqual(read(spilled).state, state2)
})

test('a frame with a bad checksum or salt ends the WAL; a bad WAL header makes SQLite ignore it', () => {
  const inTransaction2 = afterTransaction1 + frameSize
  assert.deepEqual(read(flipped(wal, inTransaction2 + 24 + 100, 1)).state, state1)
  assert.deepEqual(read(flipped(wal, inTransaction2 + 16, 1)).state, state1)
  assert.deepEqual(read(flipped(wal, inTransaction2 + 8, 1)).state, state1)
  for (const [offset, what] of [
    [32 + 24 + 5, 'first frame data'],
    [24, 'header checksum'],
    [3, 'magic'],
    [10, 'page size'],
  ] as const) {
    const result = read(flipped(wal, offset, 0x40))
    assert.deepEqual([result.state, result.walState], [base, 'ignored'], what)
  }
})

test('an unknown WAL format version is an error naming the -wal file', () => {
  assert.throws(
    () => read(flipped(wal, 7, 1)),
    (error) =>
      error instanceof SqliteFormatError &&
      error.message.startsWith(`${name}-wal: unknown WAL format version`),
  )
})

test('a WAL with big-endian checksums (magic 0x377f0683) reads the same', () => {
  const dir = mkdtempSync(path.join(scratch, 'big-endian-'))
  const db = path.join(dir, 'big-endian.db')
  copyFileSync(path.join(scratch, 'history-copy.db'), db)
  // An independent re-encoding in Python; real SQLite then confirms the result is a valid WAL.
  const output = runPython(
    `${pythonDumpFunction}
import struct
data = bytearray(open(sys.argv[2], 'rb').read())
def checksum(chunk, s0, s1):
    for i in range(0, len(chunk), 8):
        x0, x1 = struct.unpack('>II', chunk[i:i + 8])
        s0 = (s0 + x0 + s1) & 0xffffffff
        s1 = (s1 + x1 + s0) & 0xffffffff
    return s0, s1
struct.pack_into('>I', data, 0, 0x377f0683)
s = checksum(bytes(data[0:24]), 0, 0)
struct.pack_into('>II', data, 24, *s)
page_size = struct.unpack('>I', data[8:12])[0]
offset = 32
while offset + 24 + page_size <= len(data):
    s = checksum(bytes(data[offset:offset + 8]) + bytes(data[offset + 24:offset + 24 + page_size]), *s)
    struct.pack_into('>II', data, offset + 16, *s)
    offset += 24 + page_size
open(sys.argv[1] + '-wal', 'wb').write(data)
open(sys.argv[1] + '.wal-copy', 'wb').write(data)
dump(sqlite3.connect(sys.argv[1]))`,
    db,
    path.join(scratch, 'history-copy.db-wal'),
  )
  assert.deepEqual(parseDumps(output)[0], state2)
  const bigEndian = readFileSync(`${db}.wal-copy`)
  assert.equal(bigEndian.readUInt32BE(0), 0x377f0683)
  assert.deepEqual(read(bigEndian).state, state2)
})

/**
 * A checkpoint followed by a new write restarts the WAL from its first frame with new salts;
 * the older frames behind the new ones stay in the file. Then rows are deleted and VACUUM shrinks
 * the database inside the WAL. Prints both states, the WAL sizes and the page counts.
 */
const restartAndShrink = `${pythonDumpFunction}
import json, os, random, shutil
db, copy = sys.argv[1], sys.argv[2]
random.seed(5)
con = sqlite3.connect(db, isolation_level=None)
con.execute('pragma journal_mode=wal')
con.execute('pragma wal_autocheckpoint=0')
con.execute('create table t (id INTEGER PRIMARY KEY, data BLOB)')
con.execute('begin')
for i in range(300):
    con.execute('insert into t (data) values (?)', (random.randbytes(2000),))
con.execute('commit')
long_wal = os.path.getsize(db + '-wal')
con.execute('pragma wal_checkpoint(PASSIVE)')
con.execute("insert into t (data) values ('after the restart')")
shutil.copyfile(db, copy + '-restart')
shutil.copyfile(db + '-wal', copy + '-restart-wal')
dump(con)
con.execute('delete from t where id > 20')
con.execute('vacuum')
shutil.copyfile(db, copy + '-vacuum')
shutil.copyfile(db + '-wal', copy + '-vacuum-wal')
dump(con)
print(json.dumps([long_wal, os.path.getsize(copy + '-restart-wal'), con.execute('pragma page_count').fetchone()[0]]))
`

test('stale frames behind a restarted WAL are ignored, and the size after a shrinking commit counts', () => {
  const copy = path.join(scratch, 'restart-copy')
  const lines = runPython(restartAndShrink, path.join(scratch, 'restart.db'), copy).trim().split('\n')
  const [longWal, restartedWal, shrunkPages] = JSON.parse(lines.pop() as string) as number[]
  const [restarted, vacuumed] = parseDumps(lines.join('\n')) as [TableDump, TableDump]
  assert.equal(restartedWal, longWal, 'the restarted WAL still holds the old frames')
  const afterRestart = openSqliteDatabase(readFileSync(`${copy}-restart`), {
    name,
    wal: readFileSync(`${copy}-restart-wal`),
  })
  assert.deepEqual(readerDump(afterRestart), restarted)

  const vacuumMain = readFileSync(`${copy}-vacuum`)
  const afterVacuum = openSqliteDatabase(vacuumMain, { name, wal: readFileSync(`${copy}-vacuum-wal`) })
  assert.deepEqual(readerDump(afterVacuum), vacuumed)
  assert.equal(afterVacuum.pageCount, shrunkPages)
  assert.ok(afterVacuum.pageCount < vacuumMain.length / pageSize, 'the commit frame shrank the database')
})
