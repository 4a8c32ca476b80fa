/**
 * Reading rpm's Packages table with our SQLite reader against python3's sqlite3 (real SQLite)
 * doing the same in the same run: the largest rpmdb fixture, and a generated 1,000-package
 * database with 10 kB header blobs (overflow chains), the size of a full server install.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteDatabase } from '../src/facts/formats/sqlite/sqlite-database.ts'

const rounds = 30
const largestFixture = fileURLToPath(
  new URL('../test/fixtures/rpmdb/cbl-mariner-2.0/rpmdb.sqlite', import.meta.url),
)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Milliseconds for the first round and the median round. */
interface Timing {
  first: number
  median: number
  /** Rows and blob bytes read: both readers must agree. */
  read: string
}

/** Opens the database from its bytes and reads every Packages row, `rounds` times. */
function ours(file: string): Timing {
  const bytes = readFileSync(file)
  const times: number[] = []
  let read = ''
  for (let round = 0; round < rounds; round++) {
    const start = performance.now()
    const db = openSqliteDatabase(bytes, { name: file })
    let count = 0
    let total = 0
    for (const { values } of db.rows('Packages')) {
      count++
      total += (values[1] as Uint8Array).length
    }
    times.push(performance.now() - start)
    read = `${count} rows, ${total} bytes`
  }
  return { first: times[0] as number, median: median(times), read }
}

/** The same in python3: connect (immutable), select every row, touch each blob. */
function python(file: string): Timing {
  const output = execFileSync(
    'python3',
    [
      '-c',
      `import json, sqlite3, sys, time
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    con = sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True)
    rows = total = 0
    for hnum, blob in con.execute('select hnum, blob from Packages'):
        rows += 1
        total += len(blob)
    con.close()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({'times': times, 'read': '%d rows, %d bytes' % (rows, total)}))`,
      file,
      String(rounds),
    ],
    { encoding: 'utf8' },
  )
  const { times, read } = JSON.parse(output) as { times: number[]; read: string }
  return { first: times[0] as number, median: median(times), read }
}

function generateThousandPackages(file: string): void {
  execFileSync('python3', [
    '-c',
    `import random, sqlite3, sys
random.seed(1)
con = sqlite3.connect(sys.argv[1])
con.execute("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)")
for _ in range(1000):
    con.execute('insert into Packages (blob) values (?)', (random.randbytes(random.randrange(8000, 12000)),))
con.commit()`,
    file,
  ])
}

export default async function sqliteBench(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-sqlite-bench-'))
  try {
    const thousand = path.join(scratch, 'thousand-packages.sqlite')
    generateThousandPackages(thousand)
    for (const [label, file] of [
      ['cbl-mariner-2.0 rpmdb.sqlite (largest fixture)', largestFixture],
      ['generated: 1,000 packages of ~10 kB', thousand],
    ] as const) {
      const reader = ours(file)
      const sqlite = python(file)
      if (reader.read !== sqlite.read)
        throw new Error(`${label}: read ${reader.read}, python3 ${sqlite.read}`)
      const ms = (value: number) => `${value.toFixed(2)} ms`
      console.log(`sqlite: ${label}: Packages ${reader.read}, ${rounds} rounds`)
      console.log(`  preflight reader  first ${ms(reader.first)}  median ${ms(reader.median)}`)
      console.log(`  python3 sqlite3   first ${ms(sqlite.first)}  median ${ms(sqlite.median)}`)
      console.log(`  ratio (preflight / python3, medians) ${(reader.median / sqlite.median).toFixed(2)}`)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
