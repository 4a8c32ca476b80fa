/**
 * Reading rpm databases (file read + every header parsed into the package list) against the real
 * `rpm -qa --dbpath` on the same file in the same run: the largest fixture of each backend, and
 * generated 1,000-package databases (sqlite; Berkeley DB when db5.3_load is installed) made of
 * real headers from the fixtures. rpm's time includes starting the process, as a user sees it.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteDatabase } from '../src/facts/formats/sqlite/sqlite-database.ts'
import { readNdb } from '../src/facts/packages/rpm/ndb.ts'
import { parseRpmdb, type RpmdbBackend } from '../src/facts/packages/rpm/rpmdb.ts'
import { defaultRuns, formatTable, measure, ms } from './measure.ts'

const fixtures = fileURLToPath(new URL('../test/fixtures/rpmdb/', import.meta.url))
const generatedCount = 1000

interface Database {
  label: string
  /** Directory holding the database under rpm's file name. */
  dir: string
  backend: RpmdbBackend
  /** Whether this machine's rpm can read the backend (Debian's has no ndb). */
  rpmReads: boolean
}

const fileNames: Record<RpmdbBackend, string> = {
  bdb: 'Packages',
  ndb: 'Packages.db',
  sqlite: 'rpmdb.sqlite',
}

export default async function rpmdbBench(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'preflight-rpmdb-bench-'))
  try {
    const databases: Database[] = [
      {
        label: 'many-bdb-le (fixture)',
        dir: path.join(fixtures, 'many-bdb-le'),
        backend: 'bdb',
        rpmReads: true,
      },
      {
        label: 'sle15-bci-pr42 (fixture)',
        dir: path.join(fixtures, 'sle15-bci-pr42'),
        backend: 'ndb',
        rpmReads: false,
      },
      {
        label: 'cbl-mariner-2.0 (fixture)',
        dir: path.join(fixtures, 'cbl-mariner-2.0'),
        backend: 'sqlite',
        rpmReads: true,
      },
      ...generateDatabases(work),
    ]
    const rows: string[][] = []
    for (const db of databases) rows.push(await benchOne(db, work))
    process.stdout.write(
      `${formatTable(['database', 'packages', 'ours first', 'ours median', 'packages/ms', 'rpm -qa median', 'rpm / ours'], rows)}\n`,
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

async function benchOne(db: Database, work: string): Promise<string[]> {
  const file = path.join(db.dir, fileNames[db.backend])
  let count = 0
  const ours = await measure(() => {
    const result = parseRpmdb(readFileSync(file), file, db.backend)
    count = result.packages.length
  })
  let rpmMedian = '—'
  let ratio = '—'
  if (db.rpmReads) {
    // rpm may write lock, -shm and -wal files beside the database: give it a copy.
    const copy = path.join(work, `rpm-${path.basename(db.dir)}-${db.backend}`)
    mkdirSync(copy, { recursive: true })
    writeFileSync(path.join(copy, fileNames[db.backend]), readFileSync(file))
    const backend = db.backend === 'bdb' ? 'bdb_ro' : db.backend
    let listed = 0
    const rpm = await measure(
      () => {
        const output = execFileSync(
          'rpm',
          ['--dbpath', copy, '--define', `_db_backend ${backend}`, '-qa', '--qf', '%{NAME}\\n'],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        )
        listed = output.split('\n').length - 1
      },
      Math.min(defaultRuns(), 5),
    )
    if (listed !== count) throw new Error(`${db.label}: rpm lists ${listed} packages, we read ${count}`)
    rpmMedian = ms(rpm.medianMs)
    ratio = `${(rpm.medianMs / ours.medianMs).toFixed(1)}×`
  }
  return [
    db.label,
    String(count),
    ms(ours.firstMs),
    ms(ours.medianMs),
    (count / ours.medianMs).toFixed(1),
    rpmMedian,
    ratio,
  ]
}

/** Real header blobs from the fixtures, repeated up to `generatedCount` under new header numbers. */
function sampleHeaders(): Buffer[] {
  const blobs: Buffer[] = []
  for (const dir of ['cbl-mariner-2.0', 'amazonlinux2023-plain']) {
    const db = openSqliteDatabase(readFileSync(path.join(fixtures, dir, 'rpmdb.sqlite')), { name: dir })
    for (const { values } of db.rows('Packages')) blobs.push(Buffer.from(values[1] as Uint8Array))
  }
  for (const record of readNdb(
    readFileSync(path.join(fixtures, 'sle15-bci-pr42', 'Packages.db')),
    'Packages.db',
  ))
    if (record.blob) blobs.push(record.blob)
  return Array.from({ length: generatedCount }, (_, i) => blobs[i % blobs.length] as Buffer)
}

function generateDatabases(work: string): Database[] {
  const headers = sampleHeaders()
  const blobFile = path.join(work, 'headers.bin')
  writeFileSync(blobFile, Buffer.concat(headers.flatMap((blob) => [lengthPrefix(blob.length), blob])))
  const generated: Database[] = []

  const sqliteDir = path.join(work, 'generated-sqlite')
  mkdirSync(sqliteDir)
  execFileSync('rpm', ['--dbpath', sqliteDir, '--define', '_db_backend sqlite', '--initdb'])
  execFileSync('python3', [
    '-c',
    `import sqlite3, struct, sys
data = open(sys.argv[2], 'rb').read()
con = sqlite3.connect(sys.argv[1])
at, hnum = 0, 1
while at < len(data):
    (length,) = struct.unpack('>I', data[at:at + 4])
    con.execute('INSERT INTO Packages (hnum, blob) VALUES (?, ?)', (hnum, data[at + 4:at + 4 + length]))
    at, hnum = at + 4 + length, hnum + 1
con.commit()
con.execute('PRAGMA journal_mode=DELETE')
con.close()`,
    path.join(sqliteDir, 'rpmdb.sqlite'),
    blobFile,
  ])
  generated.push({
    label: `${generatedCount} packages (sqlite)`,
    dir: sqliteDir,
    backend: 'sqlite',
    rpmReads: true,
  })

  if (hasCommand('db5.3_load')) {
    const bdbDir = path.join(work, 'generated-bdb')
    mkdirSync(bdbDir)
    const key = (n: number) => {
      const bytes = Buffer.alloc(4)
      bytes.writeUInt32LE(n)
      return bytes.toString('hex')
    }
    const dump = [
      'VERSION=3',
      'format=bytevalue',
      'type=hash',
      'db_lorder=1234',
      'db_pagesize=4096',
      'HEADER=END',
      ` ${key(0)}`,
      ` ${key(headers.length)}`,
      ...headers.flatMap((blob, i) => [` ${key(i + 1)}`, ` ${blob.toString('hex')}`]),
      'DATA=END',
      '',
    ].join('\n')
    writeFileSync(path.join(work, 'bdb.dump'), dump)
    execFileSync('db5.3_load', ['-f', path.join(work, 'bdb.dump'), path.join(bdbDir, 'Packages')])
    generated.push({ label: `${generatedCount} packages (bdb)`, dir: bdbDir, backend: 'bdb', rpmReads: true })
  } else {
    process.stdout.write(
      '(db5.3_load is not installed: no generated Berkeley DB; apt-get install db5.3-util)\n',
    )
  }
  return generated
}

function lengthPrefix(length: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(length)
  return bytes
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
