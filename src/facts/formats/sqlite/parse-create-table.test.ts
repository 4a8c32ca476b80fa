import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runPython } from '../../../../test/helpers/python-dump.ts'
import { parseCreateTable } from './parse-create-table.ts'

/** [CREATE TABLE text, the rowid alias column or undefined] */
const cases: [string, string | undefined][] = [
  ["CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)", 'hnum'],
  [
    "CREATE TABLE 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))",
    undefined,
  ],
  ['CREATE TABLE t1 (x INTEGER PRIMARY KEY DESC, y)', undefined],
  ['CREATE TABLE t2 (x INTEGER, y, z, PRIMARY KEY (x DESC))', 'x'],
  ['CREATE TABLE t3 (x INT PRIMARY KEY, y)', undefined],
  ['CREATE TABLE t4 (x integer CONSTRAINT pk PRIMARY KEY ASC, y)', 'x'],
  ['CREATE TABLE t5 (x INTEGER, y INTEGER, PRIMARY KEY (x, y))', undefined],
  [
    'CREATE TABLE "we""ird" ([a b] VARCHAR(10, 2) DEFAULT (cast(1 as text)), `c` TEXT COLLATE nocase, -- comment\n d /* c */ UNSIGNED  BIG INT CHECK (d > 0))',
    undefined,
  ],
  [
    'CREATE TABLE g (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL, c AS (a + 1) STORED, d)',
    undefined,
  ],
  ['CREATE TABLE w (k INTEGER PRIMARY KEY, v) WITHOUT ROWID', undefined],
]

test('names, declared types, stored-ness and the rowid alias match what SQLite makes of the same text', () => {
  // table_xinfo: hidden 2 is a VIRTUAL generated column. Inserting 100 + i into column i shows
  // the alias: the new row's rowid is the value given to it (WITHOUT ROWID tables have no rowid).
  const output = runPython(
    `import json, sqlite3, sys
con = sqlite3.connect(':memory:')
quote = lambda name: '"%s"' % name.replace('"', '""')
for sql in json.loads(sys.argv[1]):
    con.execute(sql)
    table = con.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by rowid desc limit 1").fetchone()[0]
    columns = con.execute('select name, type, hidden from pragma_table_xinfo(?)', (table,)).fetchall()
    names = [c[0] for c in columns if c[2] == 0]
    con.execute('insert into %s (%s) values (%s)' % (quote(table), ', '.join(map(quote, names)), ', '.join(str(100 + i) for i in range(len(names)))))
    try:
        rowid = con.execute('select rowid from %s' % quote(table)).fetchone()[0]
    except sqlite3.Error:
        rowid = 0
    alias = names[rowid - 100] if rowid >= 100 else None
    print(json.dumps({'columns': [{'name': c[0], 'type': c[1], 'stored': c[2] != 2} for c in columns], 'alias': alias}))`,
    JSON.stringify(cases.map(([sql]) => sql)),
  )
  const expected = output
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          columns: { name: string; type: string; stored: boolean }[]
          alias: string | null
        },
    )
  cases.forEach(([sql, alias], index) => {
    const definition = parseCreateTable(sql)
    assert.ok(definition, sql)
    const oracle = expected[index]
    assert.equal(oracle?.alias ?? undefined, alias, `SQLite's alias for ${sql}`)
    // SQLite upper-cases the standard type names it lists (integer → INTEGER); we keep the text.
    assert.deepEqual(
      definition.columns.map((column) => ({ ...column, type: column.type.toUpperCase() })),
      oracle?.columns.map((column) => ({
        ...column,
        type: column.type.toUpperCase(),
        rowidAlias: column.name === alias,
      })),
      sql,
    )
    assert.equal(definition.withoutRowid, sql.endsWith('WITHOUT ROWID'))
  })
})

test('text that is not a CREATE TABLE with a column list gives undefined', () => {
  for (const sql of [
    'CREATE VIEW v AS SELECT 1',
    'CREATE TABLE t',
    "CREATE TABLE t (a 'unterminated)",
    'CREATE TABLE t (a,)',
  ])
    assert.equal(parseCreateTable(sql), undefined, sql)
})
