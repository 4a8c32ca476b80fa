import { type DatabaseHeader, databaseHeader, databaseHeaderSize } from './database-header.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'
import { walSnapshot } from './wal-snapshot.ts'

/** 'none': no `-wal` or an empty one; 'applied': its committed frames count; 'ignored': sqlite would ignore it too. */
export type WalState = 'none' | 'applied' | 'ignored'

/**
 * Pages of one database as sqlite would see them: the newest committed WAL frame of a page
 * wins over the main file. Pages are views into the given bytes; nothing is copied or written.
 */
export class Pager {
  readonly header: DatabaseHeader
  readonly pageCount: number
  /** Pages that exist in the input; payload sizes are bounded by these, whatever a header claims. */
  readonly availablePages: number
  readonly walState: WalState
  private readonly main: Uint8Array
  private readonly mainPages: number
  private readonly walPages: Map<number, Uint8Array>

  constructor(
    main: Uint8Array,
    readonly name: string,
    wal: Uint8Array | undefined,
  ) {
    // sqlite treats a 0-byte database as empty and deletes its WAL; an empty file where a
    // database should be is reported instead.
    if (main.length === 0) throw new SqliteFormatError(name, 'empty file (0 bytes), not a SQLite database')
    this.main = plainView(main)
    const snapshot = wal && wal.length > 0 ? walSnapshot(plainView(wal), `${name}-wal`) : undefined
    this.walState = wal === undefined || wal.length === 0 ? 'none' : snapshot ? 'applied' : 'ignored'
    this.walPages = snapshot?.pages ?? new Map()
    this.header = databaseHeader(this.walPages.get(1) ?? this.main.subarray(0, databaseHeaderSize), name)
    const { pageSize } = this.header
    if (snapshot && snapshot.pageSize !== pageSize)
      throw new SqliteFormatError(
        `${name}-wal`,
        `WAL page size ${snapshot.pageSize} differs from the database page size ${pageSize}`,
      )
    this.mainPages = Math.floor(main.length / pageSize)
    // As sqlite: the size after the last WAL commit, else the file size, bounds the header's count.
    const filePages = snapshot ? snapshot.pageCount : this.mainPages
    const pageCount = this.header.pageCount ?? filePages
    if (pageCount === 0)
      throw new SqliteFormatError(name, `truncated: shorter than one page of ${pageSize} bytes`)
    if (pageCount > filePages)
      throw new SqliteFormatError(
        name,
        `truncated: the header says ${pageCount} pages of ${pageSize} bytes, ${snapshot ? 'the last WAL commit leaves' : 'the file holds'} ${filePages}`,
      )
    this.pageCount = pageCount
    this.availablePages = Math.min(pageCount, this.mainPages + this.walPages.size)
  }

  /** The bytes of page `number` (1-based); throws when the database or the file has no such page. */
  page(number: number): Uint8Array {
    if (!Number.isInteger(number) || number < 1 || number > this.pageCount)
      throw new SqliteFormatError(
        this.name,
        `page ${number} is out of range (the database has ${this.pageCount} pages)`,
      )
    const fromWal = this.walPages.get(number)
    if (fromWal) return fromWal
    if (number > this.mainPages)
      throw new SqliteFormatError(this.name, `truncated: page ${number} is beyond the end of the file`)
    const { pageSize } = this.header
    return this.main.subarray((number - 1) * pageSize, number * pageSize)
  }
}

/** A plain Uint8Array over the same memory: Buffer.subarray is much slower and would leak Buffers into values. */
function plainView(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
