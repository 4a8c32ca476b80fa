/**
 * @module
 * Berkeley DB hash databases, read-only and without libdb: the `Packages` file of rpm up to EL8
 * (hash versions 8–10, either byte order, any page size). Records come out in the order of a
 * Berkeley DB cursor — bucket by bucket, each bucket's page chain in order — which is the order
 * `rpm -qa` lists them. Every page number and length is checked against the file before it is
 * followed, and a page is never visited twice, so a corrupt file ends in an error, not a loop.
 */
import { RpmdbError } from './rpmdb-error.ts'

export interface BdbRecord {
  key: Buffer
  /** The value; undefined when it could not be read (its overflow chain is broken), see `problem`. */
  value: Buffer | undefined
  problem?: string
}

export interface BdbHash {
  /** The byte order the database was written in; rpm's 4-byte keys use it too. */
  littleEndian: boolean
  records: BdbRecord[]
}

const hashMagic = 0x061561
const metaBytes = 512
const pageHeaderBytes = 26
/** Page types (db_page.h). */
const pageTypes = { hashUnsorted: 2, overflow: 7, hash: 13 } as const
/** Item types on hash pages. */
const itemTypes = { keyData: 1, duplicate: 2, offPage: 3, offPageDuplicate: 4 } as const
const offPageItemBytes = 12

class PageReader {
  private readonly visited: Uint8Array

  constructor(
    readonly bytes: Buffer,
    readonly file: string,
    readonly pageSize: number,
    readonly lastPage: number,
    readonly littleEndian: boolean,
  ) {
    this.visited = new Uint8Array(lastPage + 1)
  }

  u16(at: number): number {
    return this.littleEndian ? this.bytes.readUInt16LE(at) : this.bytes.readUInt16BE(at)
  }

  u32(at: number): number {
    return this.littleEndian ? this.bytes.readUInt32LE(at) : this.bytes.readUInt32BE(at)
  }

  fail(detail: string): never {
    throw new RpmdbError(this.file, detail)
  }

  /**
   * Start offset of page `page`, after checking it exists, is the page it says it is, and is new;
   * undefined for a page that was allocated but never written (all zeros), which libdb reads as empty.
   */
  page(page: number, wanted: string): number | undefined {
    if (page < 1 || page > this.lastPage)
      this.fail(`${wanted} page ${page} is outside the database (last page ${this.lastPage})`)
    if (this.visited[page]) this.fail(`${wanted} page ${page} is linked more than once`)
    this.visited[page] = 1
    const start = page * this.pageSize
    const stored = this.u32(start + 8)
    if (stored === 0 && this.bytes[start + 25] === 0) return undefined
    if (stored !== page) this.fail(`page ${page} is marked as page ${stored}`)
    return start
  }
}

/** Reads every key/value pair of a hash database. Throws RpmdbError when the file is not one or its structure is broken. */
export function readBdbHash(bytes: Buffer, file: string): BdbHash {
  if (bytes.length < metaBytes)
    throw new RpmdbError(file, `${bytes.length} bytes is too short for a Berkeley DB file`)
  let littleEndian: boolean
  if (bytes.readUInt32LE(12) === hashMagic) littleEndian = true
  else if (bytes.readUInt32BE(12) === hashMagic) littleEndian = false
  else
    throw new RpmdbError(
      file,
      `not a Berkeley DB hash database (magic 0x${bytes.readUInt32BE(12).toString(16)})`,
    )
  const u32 = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at))

  const version = u32(16)
  if (version < 8 || version > 10)
    throw new RpmdbError(file, `unsupported Berkeley DB hash version ${version}`)
  const pageSize = u32(20)
  if (pageSize < metaBytes || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new RpmdbError(file, `invalid page size ${pageSize}`)
  if (bytes[24] !== 0) throw new RpmdbError(file, 'encrypted Berkeley DB databases are not supported')
  const lastPage = u32(32)
  if ((lastPage + 1) * pageSize > bytes.length)
    throw new RpmdbError(
      file,
      `file is truncated: ${lastPage + 1} pages of ${pageSize} bytes need ${(lastPage + 1) * pageSize} bytes, it has ${bytes.length}`,
    )
  const maxBucket = u32(72)
  const spares: number[] = []
  for (let i = 0; i < 32; i++) spares.push(u32(96 + 4 * i))
  const reader = new PageReader(bytes, file, pageSize, lastPage, littleEndian)
  if (maxBucket >= lastPage) reader.fail(`${maxBucket + 1} hash buckets cannot fit in ${lastPage + 1} pages`)

  const records: BdbRecord[] = []
  for (let bucket = 0; bucket <= maxBucket; bucket++) {
    let page = bucketPage(bucket, spares)
    while (page !== 0) {
      const start = reader.page(page, `bucket ${bucket}`)
      if (start === undefined) break
      const type = bytes[start + 25]
      if (type !== pageTypes.hash && type !== pageTypes.hashUnsorted)
        reader.fail(`page ${page} of bucket ${bucket} is not a hash page (type ${type})`)
      readHashPage(reader, start, page, records)
      page = reader.u32(start + 16)
    }
  }
  return { littleEndian, records }
}

/** Buckets are allocated in doubling groups; `spares` holds the page offset of each group. */
function bucketPage(bucket: number, spares: number[]): number {
  const group = 32 - Math.clz32(bucket)
  return bucket + (spares[group] ?? 0)
}

function readHashPage(reader: PageReader, start: number, page: number, records: BdbRecord[]): void {
  const { pageSize } = reader
  const entries = reader.u16(start + 20)
  if (pageHeaderBytes + 2 * entries > pageSize) reader.fail(`page ${page} claims ${entries} entries`)
  const offset = (index: number) => {
    const at = reader.u16(start + pageHeaderBytes + 2 * index)
    if (at < pageHeaderBytes + 2 * entries || at >= pageSize)
      reader.fail(`page ${page}: entry ${index} has offset ${at}`)
    return at
  }
  // Items are packed from the page's end downwards: each ends where the previous one starts.
  for (let index = 0; index + 1 < entries; index += 2) {
    const keyAt = offset(index)
    const valueAt = offset(index + 1)
    const keyEnd = index === 0 ? pageSize : offset(index - 1)
    if (keyEnd <= keyAt || keyAt <= valueAt)
      reader.fail(`page ${page}: entries ${index} and ${index + 1} overlap`)
    const key = readItem(reader, start + keyAt, keyEnd - keyAt, page)
    const value = readItem(reader, start + valueAt, keyAt - valueAt, page)
    if ('problem' in key) reader.fail(`page ${page}: key ${index / 2}: ${key.problem}`)
    else if ('problem' in value) records.push({ key, value: undefined, problem: value.problem })
    else records.push({ key, value })
  }
}

function readItem(
  reader: PageReader,
  at: number,
  length: number,
  page: number,
): Buffer | { problem: string } {
  const type = reader.bytes[at]
  if (type === itemTypes.keyData) return reader.bytes.subarray(at + 1, at + length)
  if (type === itemTypes.offPage) {
    if (length !== offPageItemBytes) reader.fail(`page ${page}: overflow reference of ${length} bytes`)
    return readOverflow(reader, reader.u32(at + 4), reader.u32(at + 8))
  }
  if (type === itemTypes.duplicate || type === itemTypes.offPageDuplicate)
    return { problem: 'duplicate keys are not used by rpm and not supported' }
  return reader.fail(`page ${page}: unknown item type ${type}`)
}

/** A value too big for its bucket page, stored in a chain of overflow pages. */
function readOverflow(reader: PageReader, firstPage: number, length: number): Buffer | { problem: string } {
  const perPage = reader.pageSize - pageHeaderBytes
  if (length === 0 || length > reader.lastPage * perPage)
    return { problem: `overflow value of ${length} bytes cannot fit in the file` }
  const value = Buffer.allocUnsafe(length)
  let filled = 0
  let page = firstPage
  while (filled < length) {
    if (page === 0) return { problem: `overflow chain ends after ${filled} of ${length} bytes` }
    const start = reader.page(page, 'overflow')
    if (start === undefined) return { problem: `overflow page ${page} was never written` }
    if (reader.bytes[start + 25] !== pageTypes.overflow)
      return { problem: `page ${page} in an overflow chain is not an overflow page` }
    const onPage = reader.u16(start + 22)
    if (onPage === 0 || onPage > perPage || onPage > length - filled)
      return { problem: `overflow page ${page} holds ${onPage} bytes` }
    reader.bytes.copy(value, filled, start + pageHeaderBytes, start + pageHeaderBytes + onPage)
    filled += onPage
    page = reader.u32(start + 16)
  }
  return value
}
