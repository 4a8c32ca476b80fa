/**
 * @module
 * Test support: python3's sqlite3 module (real SQLite) as the oracle for the reader. Both sides
 * reduce every table to the same canonical rows, so a test compares them with one deepEqual.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import type { SqliteDatabase, SqliteValue } from '../../src/facts/formats/sqlite/sqlite-database.ts'

/** Rows per table; a row is [rowid, ...values], each value canonical (see {@link canonicalValue}). */
export type TableDump = Record<string, (string | null)[][]>

/**
 * Python source of `dump(con)`: every rowid table of the connection as JSON on one line.
 * Integers as 'i:<decimal>', reals as 'f:<IEEE-754 hex>' (converted on the JS side), text as
 * 's:<text>', blobs as 'b:<length>:<sha256>'.
 */
export const pythonDumpFunction = `
import hashlib, json, sqlite3, struct, sys
def _canon(v):
    if v is None: return None
    if isinstance(v, int): return 'i:%d' % v
    if isinstance(v, float): return 'f:' + struct.pack('>d', v).hex()
    if isinstance(v, str): return 's:' + v
    return 'b:%d:%s' % (len(v), hashlib.sha256(v).hexdigest())
def dump(con):
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    out = {}
    for t in tables:
        q = 'select rowid, * from "%s" order by rowid' % t.replace('"', '""')
        out[t] = [[_canon(v) for v in row] for row in con.execute(q)]
    print(json.dumps(out))
`

/** Runs a python3 script (argv after the script: `args`) and returns its standard output. */
export function runPython(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
}

/** Parses the JSON lines `dump(con)` printed, in order. */
export function parseDumps(output: string): TableDump[] {
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const dump = JSON.parse(line) as TableDump
      for (const [table, rows] of Object.entries(dump)) dump[table] = rows.map((row) => row.map(fromPython))
      return dump
    })
}

/** What real SQLite reads from a database file, opened immutable so nothing is written beside it. */
export function pythonDump(path: string): TableDump {
  const script = `${pythonDumpFunction}
dump(sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True))`
  return parseDumps(runPython(script, path))[0] as TableDump
}

/** What our reader reads, in the same canonical form. */
export function readerDump(db: SqliteDatabase): TableDump {
  const dump: TableDump = {}
  for (const table of db.tables())
    dump[table.name] = Array.from(db.rows(table.name), (row) => [
      canonicalValue(row.rowid),
      ...row.values.map(canonicalValue),
    ])
  return dump
}

/**
 * A value as a comparable string. Numbers are compared by value, as the reader returns INTEGER
 * and REAL both as JS numbers.
 */
export function canonicalValue(value: SqliteValue): string | null {
  if (value === null) return null
  if (typeof value === 'number') return `n:${Object.is(value, -0) ? '-0' : String(value)}`
  if (typeof value === 'bigint') return `n:${value}`
  if (typeof value === 'string') return `s:${value}`
  return `b:${value.length}:${createHash('sha256').update(value).digest('hex')}`
}

function fromPython(value: string | null): string | null {
  if (value === null || value.startsWith('s:') || value.startsWith('b:')) return value
  if (value.startsWith('i:')) {
    const integer = BigInt(value.slice(2))
    const safe = integer >= BigInt(Number.MIN_SAFE_INTEGER) && integer <= BigInt(Number.MAX_SAFE_INTEGER)
    return canonicalValue(safe ? Number(integer) : integer)
  }
  return canonicalValue(Buffer.from(value.slice(2), 'hex').readDoubleBE(0))
}
