import { SqliteFormatError } from './sqlite-format-error.ts'

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be'

/** The fields of the 100-byte database header that reading needs. */
export interface DatabaseHeader {
  pageSize: number
  /** Page size minus the bytes reserved at the end of each page (for checksums or encryption). */
  usableSize: number
  /** The page count stored in the header, when it is trustworthy (see {@link databaseHeader}). */
  pageCount: number | undefined
  textEncoding: TextEncoding
}

export const databaseHeaderSize = 100
const magic = 'SQLite format 3\0'
const textEncodings: Record<number, TextEncoding> = { 0: 'utf-8', 1: 'utf-8', 2: 'utf-16le', 3: 'utf-16be' }

/**
 * Parses and validates the database header (https://www.sqlite.org/fileformat2.html#the_database_header).
 * Rejects what sqlite itself refuses to open: a wrong magic, an invalid page size, a usable size
 * under 480 bytes, fixed payload fractions other than 64/32/32, a read version above 2 and an
 * unknown schema format or text encoding.
 */
export function databaseHeader(bytes: Uint8Array, name: string): DatabaseHeader {
  if (bytes.length < databaseHeaderSize)
    throw new SqliteFormatError(
      name,
      `truncated: ${bytes.length} bytes, a SQLite header needs ${databaseHeaderSize}`,
    )
  if (String.fromCharCode(...bytes.subarray(0, magic.length)) !== magic)
    throw new SqliteFormatError(name, 'not a SQLite 3 database (bad magic string)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, databaseHeaderSize)
  const rawPageSize = view.getUint16(16)
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0)
    throw new SqliteFormatError(name, `invalid page size ${rawPageSize}`)
  const readVersion = view.getUint8(19)
  if (readVersion > 2)
    throw new SqliteFormatError(
      name,
      `unknown file format read version ${readVersion} (newer than this reader)`,
    )
  const usableSize = pageSize - view.getUint8(20)
  if (usableSize < 480)
    throw new SqliteFormatError(name, `usable page size ${usableSize} is below the minimum of 480 bytes`)
  const fractions = [view.getUint8(21), view.getUint8(22), view.getUint8(23)]
  if (fractions.join() !== '64,32,32')
    throw new SqliteFormatError(
      name,
      `payload fractions ${fractions.join('/')} are not the required 64/32/32`,
    )
  const schemaFormat = view.getUint32(44)
  if (schemaFormat > 4) throw new SqliteFormatError(name, `unknown schema format ${schemaFormat}`)
  const encoding = view.getUint32(56)
  const textEncoding = textEncodings[encoding]
  if (textEncoding === undefined) throw new SqliteFormatError(name, `unknown text encoding ${encoding}`)
  // sqlite < 3.7.0 did not maintain the page count; it is valid only when the change counter
  // equals the version-valid-for number written together with it.
  const storedPageCount = view.getUint32(28)
  const pageCountValid = storedPageCount !== 0 && view.getUint32(24) === view.getUint32(92)
  return { pageSize, usableSize, pageCount: pageCountValid ? storedPageCount : undefined, textEncoding }
}
