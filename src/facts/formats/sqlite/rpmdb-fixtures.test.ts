import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { pythonDump, readerDump, runPython } from '../../../../test/helpers/python-dump.ts'
import { openSqliteDatabase } from './sqlite-database.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'

const fixtures = fileURLToPath(new URL('../../../../test/fixtures/rpmdb/', import.meta.url))

for (const name of ['cbl-mariner-2.0', 'amazonlinux2023-plain', 'elroot-sqlite']) {
  const file = `${fixtures}${name}/rpmdb.sqlite`

  test(`${name}: the Packages rows (hnum, blob length, blob sha256) equal what SQLite reads`, () => {
    const db = openSqliteDatabase(readFileSync(file), { name: file })
    const ours = Array.from(db.rows('Packages'), ({ rowid, values: [hnum, blob] }) => {
      assert.equal(hnum, rowid)
      assert.ok(blob instanceof Uint8Array)
      return [hnum, blob.length, createHash('sha256').update(blob).digest('hex')]
    })
    const python = runPython(
      `import hashlib, sqlite3, sys
con = sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True)
for hnum, blob in con.execute('select hnum, blob from Packages order by hnum'):
    print(hnum, len(blob), hashlib.sha256(blob).hexdigest())`,
      file,
    )
    const expected = python
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([hnum, length, sha256]) => [Number(hnum), Number(length), sha256])
    assert.ok(expected.length > 0)
    assert.deepEqual(ours, expected)
  })

  test(`${name}: every row of every table equals what SQLite reads`, () => {
    const db = openSqliteDatabase(readFileSync(file), { name: file })
    assert.deepEqual(readerDump(db), pythonDump(file))
  })
}

test('a database without a Packages table lists its own table and names the file for Packages', () => {
  const file = `${fixtures}claircore-no-packages-sqlite/no_packages.sqlite`
  const db = openSqliteDatabase(readFileSync(file), { name: file })
  assert.deepEqual(
    db.tables().map((table) => table.name),
    ['not_packages'],
  )
  assert.equal(db.table('Packages'), undefined)
  assert.deepEqual(db.columns('not_packages'), [
    { name: 'not_package_column', type: 'INTEGER', rowidAlias: true, stored: true },
  ])
  assert.deepEqual(readerDump(db), pythonDump(file))
  assert.throws(() => db.rows('Packages'), SqliteFormatError)
})
