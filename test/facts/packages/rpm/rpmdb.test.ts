import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { printablePath } from '../../../../src/facts/packages/rpm/printable-path.ts'
import { rpmPackageSource } from '../../../../src/facts/packages/rpm/rpm-package-source.ts'
import {
  locateRpmdb,
  parseRpmdb,
  type RpmdbBackend,
  readRpmdb,
} from '../../../../src/facts/packages/rpm/rpmdb.ts'
import { RpmdbError } from '../../../../src/facts/packages/rpm/rpmdb-error.ts'
import {
  digestAlgorithmName,
  digestAlgorithms,
  senseOperator,
} from '../../../../src/facts/packages/rpm/tags.ts'
import { openHost } from '../../../../src/host/host.ts'
import { filesTsv, packagesTsv } from './expected-tsv.ts'

const fixtures = fileURLToPath(new URL('../../../fixtures/rpmdb/', import.meta.url))
const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-rpmdb-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

interface Database {
  dir: string
  file: string
  backend: RpmdbBackend
  /** Can the Debian rpm on the test machine read it (it has no ndb backend)? */
  rpmReads: boolean
}

/** Every database fixture with listings made by a real rpm (test/fixtures/README.md says where each is from). */
const databases: Database[] = [
  { dir: 'libuuid', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'osv-scalibr-packages-epoch', file: 'Packages_epoch', backend: 'bdb', rpmReads: true },
  { dir: 'snyk-rpm4-empty', file: 'rpm4_empty', backend: 'bdb', rpmReads: true },
  { dir: 'elroot-bdb-le', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'elroot-bdb-be', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'legacy-md5-bdb', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'many-bdb-le', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'many-bdb-be', file: 'Packages', backend: 'bdb', rpmReads: true },
  { dir: 'elroot-ndb', file: 'Packages.db', backend: 'ndb', rpmReads: false },
  { dir: 'sle15-bci', file: 'Packages.db', backend: 'ndb', rpmReads: false },
  { dir: 'sle15-bci-pr42', file: 'Packages.db', backend: 'ndb', rpmReads: false },
  { dir: 'elroot-sqlite', file: 'rpmdb.sqlite', backend: 'sqlite', rpmReads: true },
  { dir: 'elroot-sqlite-wal', file: 'rpmdb.sqlite', backend: 'sqlite', rpmReads: true },
  { dir: 'cbl-mariner-2.0', file: 'rpmdb.sqlite', backend: 'sqlite', rpmReads: true },
  { dir: 'amazonlinux2023-plain', file: 'rpmdb.sqlite', backend: 'sqlite', rpmReads: true },
]

const fixtureBytes = (dir: string, file: string) => readFileSync(path.join(fixtures, dir, file))
const hostPath = (file: string) => `/var/lib/rpm/${file}`

function parseFixture({ dir, file, backend }: Database) {
  const wal = backend === 'sqlite' ? readOptional(path.join(fixtures, dir, `${file}-wal`)) : undefined
  return parseRpmdb(fixtureBytes(dir, file), hostPath(file), backend, wal)
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** Runs the real rpm on a scratch copy (rpm may create lock, -shm and -wal files beside a database). */
function realRpm(db: Database, queryFormat: string): string {
  const dbPath = mkdtempSync(path.join(scratch, `${db.dir}-`))
  for (const name of [db.file, `${db.file}-wal`]) {
    const source = path.join(fixtures, db.dir, name)
    if (readOptional(source))
      copyFileSync(
        source,
        path.join(dbPath, name === db.file ? rpmFileName(db.backend) : `${rpmFileName(db.backend)}-wal`),
      )
  }
  const backend = db.backend === 'bdb' ? 'bdb_ro' : db.backend
  return execFileSync(
    'rpm',
    ['--dbpath', dbPath, '--define', `_db_backend ${backend}`, '-qa', '--qf', queryFormat],
    {
      encoding: 'latin1',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
}

/** The lines of rpm's output, which ends each one with a newline (a trailing tab is data). */
function lines(output: string): string[] {
  return output.split('\n').slice(0, -1)
}

function rpmFileName(backend: RpmdbBackend): string {
  return { bdb: 'Packages', ndb: 'Packages.db', sqlite: 'rpmdb.sqlite' }[backend]
}

function assertRpmdbError(run: () => unknown, file: string, detail: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof RpmdbError, `expected RpmdbError, got ${String(error)}`)
    assert.equal(error.file, file)
    assert.ok(error.message.startsWith(`${file}: `), error.message)
    assert.match(error.detail, detail)
    return true
  })
}

describe('package and file lists equal what rpm lists, byte for byte', () => {
  for (const db of databases) {
    test(`${db.dir} (${db.backend})`, () => {
      const { packages, warnings } = parseFixture(db)
      assert.deepEqual(warnings, [])
      assert.equal(packagesTsv(packages), fixtureBytes(db.dir, 'expected-packages.tsv').toString('utf8'))
      // latin1 maps bytes one to one, so a difference in a non-UTF-8 file name still shows.
      assert.equal(
        filesTsv(packages).toString('latin1'),
        fixtureBytes(db.dir, 'expected-files.tsv').toString('latin1'),
      )
    })
  }
})

describe('fields beyond the listings equal what the real rpm prints', () => {
  const signature =
    '%|DSAHEADER?{%{DSAHEADER:pgpsig}}:{%|RSAHEADER?{%{RSAHEADER:pgpsig}}:{%|SIGGPG?{%{SIGGPG:pgpsig}}:{%|SIGPGP?{%{SIGPGP:pgpsig}}:{(none)}|}|}|}|'
  const packageFormat = `%{NAME}\\t%|VENDOR?{%{VENDOR}}:{}|\\t%{SUMMARY}\\t%{BUILDTIME}\\t%{INSTALLTIME}\\t%|SOURCERPM?{%{SOURCERPM}}:{}|\\t${signature}\\n`
  const dependencyFormat = ['REQUIRE', 'PROVIDE', 'CONFLICT', 'OBSOLETE']
    .map((kind) => `[%{=NAME}\\t${kind}\\t%{${kind}NAME}\\t%{${kind}FLAGS}\\t%{${kind}VERSION}\\n]`)
    .join('')
  const kinds = {
    REQUIRE: 'requires',
    PROVIDE: 'provides',
    CONFLICT: 'conflicts',
    OBSOLETE: 'obsoletes',
  } as const

  for (const db of databases.filter(
    (d) =>
      d.rpmReads &&
      ['libuuid', 'elroot-bdb-be', 'many-bdb-le', 'cbl-mariner-2.0', 'legacy-md5-bdb'].includes(d.dir),
  )) {
    test(`${db.dir}: vendor, summary, times, source rpm and signing key`, () => {
      const ours = parseFixture(db).packages.map((p) => {
        const keyId = p.signatureKeyId ? `Key ID …${p.signatureKeyId}` : '(none)'
        return `${p.name}\t${p.vendor ?? ''}\t${p.summary}\t${p.buildTime}\t${p.installTime}\t${p.source ?? ''}\t${keyId}`
      })
      const rpms = lines(realRpm(db, packageFormat)).map((line) =>
        line.replace(/\t[^\t]*Key ID [0-9a-f]{8}([0-9a-f]{8})$/, '\tKey ID …$1'),
      )
      assert.deepEqual(ours, rpms)
    })

    test(`${db.dir}: requires, provides, conflicts and obsoletes with flags and versions`, () => {
      const ours = parseFixture(db).packages.flatMap((p) =>
        (['REQUIRE', 'PROVIDE', 'CONFLICT', 'OBSOLETE'] as const).flatMap((kind) =>
          p.dependencies(kinds[kind]).map((d) => `${p.name}\t${kind}\t${d.name}\t${d.flags}\t${d.version}`),
        ),
      )
      assert.deepEqual(ours, lines(realRpm(db, dependencyFormat)))
    })
  }

  test('senseOperator spells the comparison as rpm -qR does', () => {
    assert.equal(senseOperator(0), '')
    assert.equal(senseOperator(8), '=')
    assert.equal(senseOperator(12), '>=')
    assert.equal(senseOperator(16777226), '<=')
  })
})

describe('file digests as on EL5/EL6 (MD5, no FILEDIGESTALGO tag)', () => {
  const db = databases.find((d) => d.dir === 'legacy-md5-bdb') as Database
  const [pkg] = parseFixture(db).packages
  assert.ok(pkg)

  test('the algorithm is MD5 and the digests are MD5 of the packaged content', () => {
    assert.equal(pkg.fileDigestAlgo, digestAlgorithms.MD5)
    assert.equal(digestAlgorithmName(pkg.fileDigestAlgo), 'md5')
    const hello = pkg.files().find((file) => file.path?.toString() === '/usr/share/legacy-md5/hello.txt')
    assert.equal(hello?.digest, createHash('md5').update('hello\n').digest('hex'))
  })

  test('a Latin-1 file name keeps its bytes and prints escaped', () => {
    const latin1 = pkg.files().find((file) => file.path?.includes(0xe9))
    assert.deepEqual(latin1?.path, Buffer.from('/usr/share/legacy-md5/caf\xe9.txt', 'latin1'))
    assert.equal(printablePath(latin1?.path as Buffer), '/usr/share/legacy-md5/caf\\xe9.txt')
    assert.equal(latin1?.digest, createHash('md5').update(Buffer.from('caf\xe9\n', 'latin1')).digest('hex'))
  })

  test('every file attribute equals `rpm -qa --dump`', () => {
    // --dump: path size mtime digest mode owner group isconfig isdoc rdev symlink
    const dump = realRpm(
      db,
      '[%{FILENAMES} %{FILESIZES} %{FILEMTIMES} %{FILEDIGESTS} %{FILEMODES:octal} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILERDEVS} %{FILELINKTOS}\\n]',
    )
    const ours = pkg
      .files()
      .map(
        (f) =>
          `${f.path?.toString('latin1')} ${f.size} ${f.mtime} ${f.digest} ${f.mode.toString(8)} ${f.user} ${f.group} ${f.rdev} ${f.linkTo.toString('latin1')}`,
      )
    assert.deepEqual(ours, lines(dump))
  })
})

describe('databases rpm cannot read are errors naming the file', () => {
  test('claircore-no-packages-sqlite: a SQLite file without a Packages table (rpm: cannot open Packages database)', () => {
    const expected = fixtureBytes('claircore-no-packages-sqlite', 'expected-error.txt').toString('utf8')
    assert.match(expected, /cannot open Packages database/)
    const bytes = fixtureBytes('claircore-no-packages-sqlite', 'no_packages.sqlite')
    assertRpmdbError(
      () => parseRpmdb(bytes, hostPath('rpmdb.sqlite'), 'sqlite'),
      hostPath('rpmdb.sqlite'),
      /no Packages table/,
    )
  })

  test('unknown files: not Berkeley DB, not ndb, not SQLite', () => {
    const junk = Buffer.alloc(8192, 0x41)
    assertRpmdbError(
      () => parseRpmdb(junk, hostPath('Packages'), 'bdb'),
      hostPath('Packages'),
      /not a Berkeley DB hash database/,
    )
    assertRpmdbError(() => parseRpmdb(junk, hostPath('Packages.db'), 'ndb'), hostPath('Packages.db'), /RpmP/)
    assertRpmdbError(
      () => parseRpmdb(junk, hostPath('rpmdb.sqlite'), 'sqlite'),
      hostPath('rpmdb.sqlite'),
      /./,
    )
    assertRpmdbError(
      () => parseRpmdb(Buffer.alloc(0), hostPath('Packages'), 'bdb'),
      hostPath('Packages'),
      /too short/,
    )
  })

  test('truncated files', () => {
    const bdb = fixtureBytes('many-bdb-le', 'Packages')
    assertRpmdbError(
      () => parseRpmdb(bdb.subarray(0, 65536), hostPath('Packages'), 'bdb'),
      hostPath('Packages'),
      /truncated/,
    )
    const ndb = fixtureBytes('sle15-bci', 'Packages.db')
    assertRpmdbError(
      () => parseRpmdb(ndb.subarray(0, 409600), hostPath('Packages.db'), 'ndb'),
      hostPath('Packages.db'),
      /truncated/,
    )
    assertRpmdbError(
      () => parseRpmdb(ndb.subarray(0, 2048), hostPath('Packages.db'), 'ndb'),
      hostPath('Packages.db'),
      /truncated/,
    )
    const sqlite = fixtureBytes('elroot-sqlite', 'rpmdb.sqlite')
    assert.throws(() => parseRpmdb(sqlite.subarray(0, 50000), hostPath('rpmdb.sqlite'), 'sqlite'), RpmdbError)
  })
})

/** Berkeley DB layout facts the corruption tests need (db_page.h). */
function bdbLayout(bytes: Buffer) {
  const littleEndian = bytes.readUInt32LE(12) === 0x061561
  const u32 = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at))
  const put32 = (buffer: Buffer, at: number, value: number) =>
    littleEndian ? buffer.writeUInt32LE(value, at) : buffer.writeUInt32BE(value, at)
  const pageSize = u32(20)
  const spares = (group: number) => u32(96 + 4 * group)
  const bucketPage = (bucket: number) => bucket + spares(32 - Math.clz32(bucket))
  const pages = bytes.length / pageSize
  const pagesOfType = (type: number) =>
    Array.from({ length: pages }, (_, page) => page).filter(
      (page) => page > 0 && bytes[page * pageSize + 25] === type,
    )
  return { u32, put32, pageSize, maxBucket: u32(72), bucketPage, pagesOfType }
}

describe('corrupt Berkeley DB pages', () => {
  const original = fixtureBytes('elroot-bdb-le', 'Packages')
  const layout = bdbLayout(original)
  const names = (bytes: Buffer) => parseRpmdb(bytes, hostPath('Packages'), 'bdb').packages.map((p) => p.name)

  test('a bucket continued on a chained page is read in chain order (as libdb cursors do)', () => {
    assert.equal(layout.maxBucket, 1)
    const first = layout.bucketPage(0)
    const second = layout.bucketPage(1)
    assert.equal(layout.u32(first * layout.pageSize + 16), 0, 'bucket 0 has one page')
    const chained = Buffer.from(original)
    layout.put32(chained, 72, 0) // one bucket…
    layout.put32(chained, first * layout.pageSize + 16, second) // …whose page continues on the old bucket 1 page
    assert.deepEqual(names(chained), names(original))
  })

  test('a page that links to itself is an error, not a loop', () => {
    const looped = Buffer.from(original)
    const page = layout.bucketPage(1)
    layout.put32(looped, page * layout.pageSize + 16, page)
    assertRpmdbError(() => names(looped), hostPath('Packages'), /page \d+ is linked more than once/)
  })

  test('a page that is not the page it claims to be', () => {
    const wrong = Buffer.from(original)
    layout.put32(wrong, layout.bucketPage(0) * layout.pageSize + 8, 99)
    assertRpmdbError(() => names(wrong), hostPath('Packages'), /is marked as page 99/)
  })

  test('a broken overflow chain skips that one header with a warning', () => {
    const bytes = fixtureBytes('many-bdb-be', 'Packages')
    const be = bdbLayout(bytes)
    const [overflowPage] = be.pagesOfType(7)
    assert.ok(overflowPage)
    const broken = Buffer.from(bytes)
    broken[overflowPage * be.pageSize + 25] = 5 // no longer an overflow page
    const { packages, warnings } = parseRpmdb(broken, hostPath('Packages'), 'bdb')
    assert.equal(packages.length, 199)
    assert.equal(warnings.length, 1)
    assert.match(
      warnings[0]?.message ?? '',
      /^header #\d+ skipped: page \d+ in an overflow chain is not an overflow page$/,
    )
    assert.equal(warnings[0]?.file, hostPath('Packages'))
  })
})

describe('corrupt ndb blobs', () => {
  const original = fixtureBytes('elroot-ndb', 'Packages.db')
  const firstBlob = original.indexOf('BlbS')

  test('a blob with broken framing is skipped with a warning naming the package', () => {
    const broken = Buffer.from(original)
    broken.write('XXXX', firstBlob)
    const { packages, warnings } = parseRpmdb(broken, hostPath('Packages.db'), 'ndb')
    assert.equal(packages.length, 4)
    assert.match(warnings[0]?.message ?? '', /^header #\d+ skipped: blob at block \d+ has no BlbS magic$/)
  })

  test('a damaged header inside an intact blob is skipped as rpm skips it', () => {
    const broken = Buffer.from(original)
    broken.writeUInt32BE(0x7fff, firstBlob + 16) // the header's tag count
    const { packages, warnings } = parseRpmdb(broken, hostPath('Packages.db'), 'ndb')
    assert.equal(packages.length, 4)
    assert.match(
      warnings[0]?.message ?? '',
      /^header #\d+: blob of \d+ bytes does not match .*; skipped as damaged$/,
    )
  })

  test('a slot without its magic is an error', () => {
    const broken = Buffer.from(original)
    broken.write('XXXX', 32)
    assertRpmdbError(
      () => parseRpmdb(broken, hostPath('Packages.db'), 'ndb'),
      hostPath('Packages.db'),
      /slot 2 has no Slot magic/,
    )
  })
})

describe('finding the database on a host', () => {
  let roots = 0
  function makeRoot(files: Record<string, Buffer | string>): string {
    const root = path.join(scratch, `root-${roots++}`)
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      writeFileSync(path.join(root, name), content)
    }
    return root
  }
  const bdb = fixtureBytes('elroot-bdb-le', 'Packages')
  const ndb = fixtureBytes('elroot-ndb', 'Packages.db')
  const sqlite = fixtureBytes('elroot-sqlite', 'rpmdb.sqlite')

  test('EL7: /var/lib/rpm/Packages', async () => {
    const root = makeRoot({
      'var/lib/rpm/Packages': bdb,
      'usr/lib/rpm/macros': '%_var\t/var\n%_dbpath\t\t%{_var}/lib/rpm\n',
    })
    assert.equal(await locateRpmdb(openHost({ root })), '/var/lib/rpm/Packages')
  })

  test('without a configured backend rpm prefers sqlite, then ndb, then Berkeley DB', async () => {
    const root = makeRoot({ 'var/lib/rpm/Packages': bdb, 'var/lib/rpm/rpmdb.sqlite': sqlite })
    assert.equal(await locateRpmdb(openHost({ root })), '/var/lib/rpm/rpmdb.sqlite')
  })

  test('%_db_backend chooses among several databases when its file exists', async () => {
    const root = makeRoot({
      'var/lib/rpm/Packages': bdb,
      'var/lib/rpm/rpmdb.sqlite': sqlite,
      'etc/rpm/macros.db': '%_db_backend bdb_ro\n',
    })
    assert.equal(await locateRpmdb(openHost({ root })), '/var/lib/rpm/Packages')
  })

  test('SUSE: %_dbpath under /usr/lib/sysimage wins over a stale /var/lib/rpm', async () => {
    const root = makeRoot({
      'var/lib/rpm/Packages': bdb,
      'usr/lib/sysimage/rpm/Packages.db': ndb,
      'usr/lib/rpm/macros': '%_usr /usr\n%_dbpath %{_usr}/lib/sysimage/rpm\n%_db_backend ndb\n',
    })
    assert.equal(await locateRpmdb(openHost({ root })), '/usr/lib/sysimage/rpm/Packages.db')
  })

  test('without macro files, /usr/lib/sysimage/rpm is found too; no database at all is undefined', async () => {
    assert.equal(
      await locateRpmdb(openHost({ root: makeRoot({ 'usr/lib/sysimage/rpm/Packages.db': ndb }) })),
      '/usr/lib/sysimage/rpm/Packages.db',
    )
    assert.equal(await locateRpmdb(openHost({ root: makeRoot({ 'etc/hostname': 'x\n' }) })), undefined)
  })

  test('the package source reads the list through the host, applying a WAL beside rpmdb.sqlite', async () => {
    const root = makeRoot({
      'var/lib/rpm/rpmdb.sqlite': fixtureBytes('elroot-sqlite-wal', 'rpmdb.sqlite'),
      'var/lib/rpm/rpmdb.sqlite-wal': fixtureBytes('elroot-sqlite-wal', 'rpmdb.sqlite-wal'),
    })
    const host = openHost({ root })
    const dbPath = await rpmPackageSource.locate(host)
    assert.equal(dbPath, '/var/lib/rpm/rpmdb.sqlite')
    const database = await rpmPackageSource.read({ host, progress: () => {} }, dbPath as string)
    assert.equal(database.format, 'rpm')
    assert.equal(database.path, '/var/lib/rpm/rpmdb.sqlite')
    assert.deepEqual(
      database.packages
        .map((p) => `${p.name}\t${p.epoch ?? ''}\t${p.version}\t${p.release}\t${p.arch}\n`)
        .join(''),
      fixtureBytes('elroot-sqlite-wal', 'expected-packages.tsv')
        .toString('utf8')
        .split('\n')
        .slice(1)
        .join('\n'),
    )
    const server = database.packages.find((p) => p.name === 'elroot-server')
    assert.equal(Object.getPrototypeOf(server), Object.prototype, 'list entries are plain data')
    assert.equal(server?.epoch, 2)
  })

  test('reading twice from one host reads the file once, unless it changed in between', async () => {
    const root = makeRoot({ 'var/lib/rpm/Packages': bdb })
    const host = openHost({ root })
    const first = await readRpmdb(host, '/var/lib/rpm/Packages')
    assert.equal(await readRpmdb(host, '/var/lib/rpm/Packages'), first)
    writeFileSync(path.join(root, 'var/lib/rpm/Packages'), fixtureBytes('legacy-md5-bdb', 'Packages'))
    const second = await readRpmdb(host, '/var/lib/rpm/Packages')
    assert.deepEqual(
      second.packages.map((p) => p.name),
      ['legacy-md5'],
    )
  })

  test('a corrupt database on a host is an RpmdbError naming its host path', async () => {
    const host = openHost({ root: makeRoot({ 'var/lib/rpm/Packages': Buffer.alloc(4096) }) })
    await assert.rejects(readRpmdb(host, '/var/lib/rpm/Packages'), (error: unknown) => {
      assert.ok(error instanceof RpmdbError)
      assert.equal(error.message, '/var/lib/rpm/Packages: not a Berkeley DB hash database (magic 0x0)')
      return true
    })
  })
})
