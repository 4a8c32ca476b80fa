/**
 * @module
 * A read-only reader of SQLite 3 database files (https://www.sqlite.org/fileformat2.html) in
 * plain TypeScript, for rpm's rpmdb.sqlite. It works on bytes the caller has read (the database
 * and its `-wal`), so it can never create, lock or checkpoint anything beside the database.
 * It reads table b-trees (rowid tables) only; indexes and WITHOUT ROWID tables are not read.
 */

import type { TextEncoding } from './database-header.ts'
import { decodeRecord, type SqliteValue } from './decode-record.ts'
import { Pager, type WalState } from './pager.ts'
import { parseCreateTable, type SqliteColumn, type TableDefinition } from './parse-create-table.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'
import { tableCells } from './table-cells.ts'

export type { SqliteColumn, SqliteValue, TextEncoding, WalState }

export interface SqliteDatabaseOptions {
  /** The file's name in error messages (the host path); the WAL is called `<name>-wal`. */
  name: string
  /**
   * The bytes of the `-wal` file beside the database, if there is one. Its committed frames
   * override the main file, as for any sqlite reader. A WAL that sqlite would ignore (bad header,
   * no valid commit frame) or an empty one is ignored; see {@link SqliteDatabase.walState}.
   */
  wal?: Uint8Array
}

/** A table as the schema table (sqlite_schema, formerly sqlite_master) lists it. */
export interface SqliteTable {
  name: string
  rootPage: number
  sql: string
}

export interface SqliteRow {
  rowid: number | bigint
  /** One value per declared column; the rowid alias column holds the rowid, as SELECT * shows it. */
  values: SqliteValue[]
}

export interface SqliteDatabase {
  readonly name: string
  readonly pageSize: number
  /** Database size in pages, after the WAL when one was applied. */
  readonly pageCount: number
  readonly textEncoding: TextEncoding
  readonly walState: WalState
  /** The rowid tables, in schema order (views and virtual tables have no b-tree and are left out). */
  tables(): SqliteTable[]
  /** Finds a table by name, ignoring ASCII case as sqlite does. */
  table(name: string): SqliteTable | undefined
  columns(table: string): SqliteColumn[]
  /**
   * The rows of a table in rowid order, read lazily. Missing trailing values (columns added by
   * ALTER TABLE after the row was written) are NULL; their DEFAULT is not applied, and a VIRTUAL
   * generated column reads as NULL.
   */
  rows(table: string): IterableIterator<SqliteRow>
}

const schemaTable: SqliteTable = {
  name: 'sqlite_schema',
  rootPage: 1,
  sql: 'CREATE TABLE sqlite_schema(type text, name text, tbl_name text, rootpage integer, sql text)',
}

/**
 * Opens a database from its bytes; throws {@link SqliteFormatError} naming the file and what is
 * wrong when the header, the WAL header or the schema cannot be read. Later reads throw the same
 * error on damaged pages.
 *
 * @example
 * const db = openSqliteDatabase(await readFile(path), { name: path, wal: walBytes })
 * for (const { values: [hnum, blob] } of db.rows('Packages')) …
 */
export function openSqliteDatabase(main: Uint8Array, options: SqliteDatabaseOptions): SqliteDatabase {
  const { name } = options
  const pager = new Pager(main, name, options.wal)
  const { textEncoding } = pager.header
  const definitions = new Map<string, TableDefinition>()

  const definitionOf = (table: SqliteTable): TableDefinition => {
    let definition = definitions.get(table.name)
    if (definition) return definition
    definition = parseCreateTable(table.sql)
    if (!definition)
      throw new SqliteFormatError(name, `cannot read the columns of table ${table.name} from its SQL`)
    definitions.set(table.name, definition)
    return definition
  }

  function* tableRows(table: SqliteTable, definition: TableDefinition): Generator<SqliteRow> {
    const { columns } = definition
    const plain = columns.every((column) => column.stored && !column.rowidAlias)
    for (const cell of tableCells(pager, table.rootPage)) {
      const record = decodeRecord(cell.payload, textEncoding, name, cell.page)
      yield {
        rowid: cell.rowid,
        values: plain ? padded(record, columns.length) : mapped(record, columns, cell.rowid),
      }
    }
  }

  const schemaRows = [...tableRows(schemaTable, definitionOf(schemaTable))]
  const tables: SqliteTable[] = []
  for (const { values } of schemaRows) {
    const [type, tableName, , rootPage, sql] = values
    if (type !== 'table' || rootPage === 0) continue
    if (typeof tableName !== 'string' || typeof rootPage !== 'number' || typeof sql !== 'string')
      throw new SqliteFormatError(name, `malformed schema entry for table ${String(tableName)}`)
    tables.push({ name: tableName, rootPage, sql })
  }

  const findTable = (tableName: string): SqliteTable | undefined => {
    const wanted = tableName.toLowerCase()
    if (wanted === 'sqlite_schema' || wanted === 'sqlite_master') return schemaTable
    return tables.find((table) => table.name.toLowerCase() === wanted)
  }
  const requireTable = (tableName: string): SqliteTable => {
    const table = findTable(tableName)
    if (!table) throw new SqliteFormatError(name, `no table named ${tableName}`)
    return table
  }

  return {
    name,
    pageSize: pager.header.pageSize,
    pageCount: pager.pageCount,
    textEncoding,
    walState: pager.walState,
    tables: () => tables.map((table) => ({ ...table })),
    table: (tableName) => {
      const table = findTable(tableName)
      return table && { ...table }
    },
    columns: (tableName) => definitionOf(requireTable(tableName)).columns.map((column) => ({ ...column })),
    rows: (tableName) => {
      const table = requireTable(tableName)
      const definition = definitionOf(table)
      if (definition.withoutRowid)
        throw new SqliteFormatError(
          name,
          `table ${table.name} is a WITHOUT ROWID table, which this reader does not read`,
        )
      return tableRows(table, definition)
    },
  }
}

function padded(record: SqliteValue[], columnCount: number): SqliteValue[] {
  while (record.length < columnCount) record.push(null)
  return record
}

function mapped(record: SqliteValue[], columns: SqliteColumn[], rowid: number | bigint): SqliteValue[] {
  const values: SqliteValue[] = []
  let stored = 0
  for (const column of columns) {
    if (!column.stored) values.push(null)
    else {
      const value = record[stored++] ?? null
      values.push(column.rowidAlias ? rowid : value)
    }
  }
  for (; stored < record.length; stored++) values.push(record[stored] as SqliteValue)
  return values
}
