/**
 * @module
 * The rpm database of a host, found and read the way rpm itself would, without rpm and without
 * native code. Where: `%_dbpath` from the host's macro files, then /var/lib/rpm, then
 * /usr/lib/sysimage/rpm — the first that holds a database. Which file there: the one `%_db_backend`
 * names if it exists, else the first of rpmdb.sqlite, Packages.db, Packages (rpm's own detection
 * order when the configured backend's file is missing). The file is read once; headers are decoded
 * in the backend's record order, which is the order `rpm -qa` prints.
 */
import path from 'node:path'
import type { Host } from '../../../host/host.ts'
import type { ParseWarning } from '../../../host/parse-error.ts'
import { openSqliteDatabase } from '../../formats/sqlite/sqlite-database.ts'
import { SqliteFormatError } from '../../formats/sqlite/sqlite-format-error.ts'
import { readBdbHash } from './bdb.ts'
import { parseHeader } from './header.ts'
import { readNdb } from './ndb.ts'
import { expandMacro, readRpmMacros } from './rpm-macros.ts'
import { RpmPackage } from './rpm-package.ts'
import { RpmdbError } from './rpmdb-error.ts'
import { tags } from './tags.ts'

export type RpmdbBackend = 'sqlite' | 'ndb' | 'bdb'

const backendFiles: Record<RpmdbBackend, string> = {
  sqlite: 'rpmdb.sqlite',
  ndb: 'Packages.db',
  bdb: 'Packages',
}

/** rpm's compiled-in backend order, which it tries when the configured one has no file. */
const detectionOrder: RpmdbBackend[] = ['sqlite', 'ndb', 'bdb']

/** `%_db_backend` values; `bdb` (read-write Berkeley DB) reads the same file as `bdb_ro`. */
const configuredBackends = new Map<string, RpmdbBackend>([
  ['sqlite', 'sqlite'],
  ['ndb', 'ndb'],
  ['bdb', 'bdb'],
  ['bdb_ro', 'bdb'],
])

const wellKnownDbPaths = ['/var/lib/rpm', '/usr/lib/sysimage/rpm']

export interface Rpmdb {
  /** Host path of the database file. */
  path: string
  backend: RpmdbBackend
  packages: RpmPackage[]
  /** Damaged headers and unreadable records, each skipped as rpm skips them. */
  warnings: ParseWarning[]
}

/** The host path of the database rpm would open on this host, or undefined when there is none. */
export async function locateRpmdb(host: Host): Promise<string | undefined> {
  const macros = await readRpmMacros(host)
  const configuredPath = expandMacro(macros, '_dbpath')
  const configured = configuredBackends.get(expandMacro(macros, '_db_backend') ?? '')
  const configuredDir = configuredPath?.startsWith('/') ? [path.posix.resolve(configuredPath)] : []
  for (const dir of new Set([...configuredDir, ...wellKnownDbPaths])) {
    const present: RpmdbBackend[] = []
    for (const backend of detectionOrder) {
      if ((await host.stat(`${dir}/${backendFiles[backend]}`))?.kind === 'file') present.push(backend)
    }
    const chosen = configured && present.includes(configured) ? configured : present[0]
    if (chosen) return `${dir}/${backendFiles[chosen]}`
  }
  return undefined
}

/** The backend a database file belongs to, by its name. */
function backendOf(dbFile: string): RpmdbBackend | undefined {
  const base = path.posix.basename(dbFile)
  return detectionOrder.find((backend) => backendFiles[backend] === base)
}

interface CachedRead {
  /** Size and mtime of the database and its WAL when read: a changed file is read again. */
  stamp: string
  database: Promise<Rpmdb>
}

const cache = new WeakMap<Host, Map<string, CachedRead>>()

/**
 * Reads the database at host path `dbFile`, once per host while the file is unchanged (the
 * package list and the file checks share one read). Throws RpmdbError, or HostPathError when the
 * file cannot be read.
 */
export async function readRpmdb(host: Host, dbFile: string): Promise<Rpmdb> {
  let perHost = cache.get(host)
  if (!perHost) {
    perHost = new Map()
    cache.set(host, perHost)
  }
  const stamps = await Promise.all([host.stat(dbFile), host.stat(`${dbFile}-wal`)])
  const stamp = stamps.map((stat) => (stat ? `${stat.size}:${stat.mtimeMs}` : '-')).join(' ')
  const cached = perHost.get(dbFile)
  if (cached?.stamp === stamp) return cached.database
  const database = loadRpmdb(host, dbFile)
  perHost.set(dbFile, { stamp, database })
  return database
}

async function loadRpmdb(host: Host, dbFile: string): Promise<Rpmdb> {
  const backend = backendOf(dbFile)
  if (!backend)
    throw new RpmdbError(dbFile, 'not an rpm database file name (rpmdb.sqlite, Packages.db or Packages)')
  const bytes = await host.readBytes(dbFile)
  if (!bytes) throw new RpmdbError(dbFile, 'no such file')
  const wal = backend === 'sqlite' ? await host.readBytes(`${dbFile}-wal`) : undefined
  return parseRpmdb(bytes, dbFile, backend, wal)
}

interface StoredHeader {
  instance: number
  blob: Buffer | undefined
  problem?: string
}

/** Decodes a database from its bytes (and, for sqlite, its -wal). `dbFile` names it in messages. */
export function parseRpmdb(bytes: Buffer, dbFile: string, backend: RpmdbBackend, wal?: Buffer): Rpmdb {
  const stored = storedHeaders(bytes, dbFile, backend, wal)
  const packages: RpmPackage[] = []
  const warnings: ParseWarning[] = []
  const warn = (message: string) => warnings.push({ file: dbFile, line: 0, message })
  for (const { instance, blob, problem } of stored) {
    if (!blob) {
      warn(`header #${instance} skipped: ${problem}`)
      continue
    }
    try {
      const header = parseHeader(blob, dbFile, `header #${instance}`)
      if (!header.has(tags.NAME)) {
        warn(`header #${instance} skipped: it has no package name`)
        continue
      }
      packages.push(new RpmPackage(header, instance, dbFile))
    } catch (error) {
      if (!(error instanceof RpmdbError)) throw error
      warn(`${error.detail}; skipped as damaged`)
    }
  }
  return { path: dbFile, backend, packages, warnings }
}

function storedHeaders(
  bytes: Buffer,
  dbFile: string,
  backend: RpmdbBackend,
  wal: Buffer | undefined,
): StoredHeader[] {
  switch (backend) {
    case 'bdb':
      return bdbHeaders(bytes, dbFile)
    case 'ndb':
      return readNdb(bytes, dbFile).map(({ packageIndex, blob, problem }) => ({
        instance: packageIndex,
        blob,
        problem,
      }))
    case 'sqlite':
      return sqliteHeaders(bytes, dbFile, wal)
  }
}

/** Keys are header instances in the file's byte order; instance 0 holds rpm's counter, not a header. */
function bdbHeaders(bytes: Buffer, dbFile: string): StoredHeader[] {
  const { littleEndian, records } = readBdbHash(bytes, dbFile)
  const headers: StoredHeader[] = []
  for (const { key, value, problem } of records) {
    if (key.length !== 4) continue
    const instance = littleEndian ? key.readUInt32LE(0) : key.readUInt32BE(0)
    if (instance === 0) continue
    headers.push({ instance, blob: value, ...(problem ? { problem } : {}) })
  }
  return headers
}

function sqliteHeaders(bytes: Buffer, dbFile: string, wal: Buffer | undefined): StoredHeader[] {
  try {
    const db = openSqliteDatabase(bytes, { name: dbFile, ...(wal && wal.length > 0 ? { wal } : {}) })
    if (!db.table('Packages')) throw new RpmdbError(dbFile, 'the database has no Packages table')
    const columns = db.columns('Packages').map((column) => column.name.toLowerCase())
    const instanceColumn = columns.indexOf('hnum')
    const blobColumn = columns.indexOf('blob')
    if (instanceColumn < 0 || blobColumn < 0)
      throw new RpmdbError(dbFile, 'the Packages table has no hnum and blob columns')
    const headers: StoredHeader[] = []
    for (const { values } of db.rows('Packages')) {
      const instance = Number(values[instanceColumn])
      const blob = values[blobColumn]
      if (blob instanceof Uint8Array)
        headers.push({ instance, blob: Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength) })
      else headers.push({ instance, blob: undefined, problem: 'its blob column is not a blob' })
    }
    return headers
  } catch (error) {
    if (error instanceof SqliteFormatError)
      throw new RpmdbError(
        error.file,
        error.page === undefined ? error.detail : `page ${error.page}: ${error.detail}`,
      )
    throw error
  }
}
