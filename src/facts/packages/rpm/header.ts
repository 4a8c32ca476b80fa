/**
 * @module
 * rpm package headers as every rpmdb backend stores them: the "immutable" blob of a big-endian tag
 * count and data length, 16-byte index entries, then the data store. A header is accepted or refused
 * by the same rules rpm applies when it loads one from its database (hdrblobInit/hdrblobImport), so
 * the headers we skip are the ones `rpm -qa` reports as damaged. Tag data is decoded only when asked
 * for: listing packages must not pay for every file name of every package.
 */
import { RpmdbError } from './rpmdb-error.ts'
import { expectedTagTypes, tags, tagTypes } from './tags.ts'

const indexEntryBytes = 16
/** rpm's limits (header_internal.h): tags per header, bytes of data, elements of an array, whole header. */
const maxTags = 0xffff
const maxDataBytes = 0x0fffffff
const maxArrayElements = 0x000fffff
const maxHeaderBytes = 256 * 1024 * 1024
/** Tags below this are reserved for region markers. */
const firstDataTag = tags.HEADERI18NTABLE
const { CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING } = tagTypes

/** Bytes per element, by type; 0 for the NUL-terminated string types. */
const elementBytes = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0]
/** Data alignment, by type: integers are aligned to their size. */
const alignments = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1]

function isStringType(type: number): boolean {
  return type === STRING || type === STRING_ARRAY || type === I18NSTRING
}

/** The index entries of a header, column by column. */
interface IndexTable {
  tag: Uint32Array
  type: Uint32Array
  offset: Int32Array
  count: Uint32Array
  /** Where each entry's data must end: the next entry's data, the region trailer or the store's end. */
  limit: Uint32Array
}

/** One parsed header. Accessors return undefined for absent tags and for tags of another type. */
export class Header {
  constructor(
    private readonly store: Buffer,
    private readonly index: IndexTable,
    /** Tag → entry number, region entries replaced by later ones of the same tag. */
    private readonly entries: ReadonlyMap<number, number>,
    private readonly file: string,
    private readonly name: string,
  ) {}

  has(tag: number): boolean {
    return this.entries.has(tag)
  }

  /** Element count of a tag as the index records it (0 when absent), without decoding it. */
  count(tag: number): number {
    const at = this.entries.get(tag)
    return at === undefined ? 0 : (this.index.count[at] as number)
  }

  /** The first (for I18N strings: the untranslated) string, decoded as UTF-8. */
  string(tag: number): string | undefined {
    return this.byteString(tag)?.toString('utf8')
  }

  /** The first string as stored, without its NUL: for file names, which are bytes, not text. */
  byteString(tag: number): Buffer | undefined {
    const at = this.stringEntry(tag)
    return at === undefined ? undefined : this.scanStrings(at, 1)[0]
  }

  /** Every string of a string array (one element for a plain or I18N string). */
  strings(tag: number): string[] | undefined {
    return this.byteStrings(tag)?.map((bytes) => bytes.toString('utf8'))
  }

  byteStrings(tag: number): Buffer[] | undefined {
    const at = this.stringEntry(tag)
    if (at === undefined) return undefined
    return this.scanStrings(at, this.index.type[at] === STRING_ARRAY ? (this.index.count[at] as number) : 1)
  }

  /** Integers of any width as unsigned numbers (rpm stores flags and times as unsigned). */
  numbers(tag: number): number[] | undefined {
    const at = this.entries.get(tag)
    if (at === undefined) return undefined
    const { store } = this
    const type = this.index.type[at]
    const offset = this.index.offset[at] as number
    const count = this.index.count[at] as number
    const values = new Array<number>(count)
    if (type === CHAR || type === INT8)
      for (let i = 0; i < count; i++) values[i] = store[offset + i] as number
    else if (type === INT16) for (let i = 0; i < count; i++) values[i] = store.readUInt16BE(offset + 2 * i)
    else if (type === INT32) for (let i = 0; i < count; i++) values[i] = store.readUInt32BE(offset + 4 * i)
    else if (type === INT64)
      for (let i = 0; i < count; i++) values[i] = Number(store.readBigUInt64BE(offset + 8 * i))
    else return undefined
    return values
  }

  number(tag: number): number | undefined {
    const at = this.entries.get(tag)
    if (at === undefined) return undefined
    const offset = this.index.offset[at] as number
    switch (this.index.type[at]) {
      case CHAR:
      case INT8:
        return this.store[offset]
      case INT16:
        return this.store.readUInt16BE(offset)
      case INT32:
        return this.store.readUInt32BE(offset)
      case INT64:
        return Number(this.store.readBigUInt64BE(offset))
      default:
        return undefined
    }
  }

  binary(tag: number): Buffer | undefined {
    const at = this.entries.get(tag)
    if (at === undefined || this.index.type[at] !== BIN) return undefined
    const offset = this.index.offset[at] as number
    return this.store.subarray(offset, offset + (this.index.count[at] as number))
  }

  private stringEntry(tag: number): number | undefined {
    const at = this.entries.get(tag)
    return at !== undefined && isStringType(this.index.type[at] as number) ? at : undefined
  }

  private scanStrings(at: number, wanted: number): Buffer[] {
    const limit = this.index.limit[at] as number
    const area = this.store.subarray(0, limit)
    const strings: Buffer[] = []
    let start = this.index.offset[at] as number
    for (let i = 0; i < wanted; i++) {
      const end = area.indexOf(0, start)
      if (end < 0) {
        const tag = this.index.tag[at]
        const room = limit - (this.index.offset[at] as number)
        throw new RpmdbError(
          this.file,
          `${this.name}: tag ${tag}: string ${i + 1} of ${wanted} does not end within its ${room} bytes`,
        )
      }
      strings.push(area.subarray(start, end))
      start = end + 1
    }
    return strings
  }
}

/** Where a header is, for error messages: the database file and which header in it. */
class HeaderSource {
  constructor(
    readonly file: string,
    readonly name: string,
  ) {}

  fail(detail: string): never {
    throw new RpmdbError(this.file, `${this.name}: ${detail}`)
  }

  failEntry(index: IndexTable, i: number, why: string): never {
    return this.fail(
      `entry ${i} (tag ${index.tag[i]} type ${index.type[i]} offset ${index.offset[i]} count ${index.count[i]}): ${why}`,
    )
  }
}

/**
 * Parses a header blob, refusing it (RpmdbError naming `file` and `name`) where rpm would call it
 * damaged. Nothing is allocated from a length field before it is checked against the blob's size.
 */
export function parseHeader(blob: Buffer, file: string, name = 'header'): Header {
  const source = new HeaderSource(file, name)
  if (blob.length < 8) source.fail(`${blob.length} bytes is too short for a header`)
  const tagCount = blob.readUInt32BE(0)
  const dataLength = blob.readUInt32BE(4)
  if (tagCount > maxTags) source.fail(`${tagCount} tags is more than rpm allows (${maxTags})`)
  if (dataLength > maxDataBytes)
    source.fail(`${dataLength} data bytes is more than rpm allows (${maxDataBytes})`)
  const expected = 8 + tagCount * indexEntryBytes + dataLength
  if (expected >= maxHeaderBytes || expected !== blob.length)
    source.fail(
      `blob of ${blob.length} bytes does not match its ${tagCount} tags and ${dataLength} data bytes`,
    )
  if (tagCount < 1) source.fail('header has no tags')

  const store = blob.subarray(8 + tagCount * indexEntryBytes)
  const index: IndexTable = {
    tag: new Uint32Array(tagCount),
    type: new Uint32Array(tagCount),
    offset: new Int32Array(tagCount),
    count: new Uint32Array(tagCount),
    limit: new Uint32Array(tagCount).fill(dataLength),
  }
  for (let i = 0, at = 8; i < tagCount; i++, at += indexEntryBytes) {
    index.tag[i] = blob.readUInt32BE(at)
    index.type[i] = blob.readUInt32BE(at + 4)
    index.offset[i] = blob.readInt32BE(at + 8)
    index.count[i] = blob.readUInt32BE(at + 12)
  }
  const firstTag = index.tag[0] as number
  const isRegion =
    firstTag === tags.HEADERIMMUTABLE || firstTag === tags.HEADERSIGNATURES || firstTag === tags.HEADERIMAGE
  const region = isRegion ? readRegion(index, store, source) : undefined
  verifyEntries(index, region, store, source)

  const entries = new Map<number, number>()
  if (region) {
    const packed = packedLength(index, 1, region.entryCount, 0, store, source)
    const withDribbles = packedLength(index, region.entryCount, tagCount, packed, store, source)
    if (withDribbles + indexEntryBytes !== dataLength)
      source.fail(
        `tag data adds up to ${withDribbles + indexEntryBytes} bytes but the header says ${dataLength}`,
      )
    for (let i = 1; i < region.entryCount; i++)
      if (!entries.has(index.tag[i] as number)) entries.set(index.tag[i] as number, i)
    // Entries after the region ("dribbles", e.g. install time) replace region entries of the same tag.
    for (let i = region.entryCount; i < tagCount; i++) {
      entries.set(index.tag[i] as number, i)
      if (index.tag[i] === tags.BASENAMES) entries.delete(tags.OLDFILENAMES)
    }
  } else {
    const packed = packedLength(index, 0, tagCount, 0, store, source)
    if (packed !== dataLength)
      source.fail(`tag data adds up to ${packed} bytes but the header says ${dataLength}`)
    for (let i = 0; i < tagCount; i++)
      if (!entries.has(index.tag[i] as number)) entries.set(index.tag[i] as number, i)
  }
  return new Header(store, index, entries, file, name)
}

interface Region {
  tag: number
  /** Index entries covered by the region, its own entry included. */
  entryCount: number
  /** Data bytes covered by the region, its 16-byte trailer included. */
  dataLength: number
}

function readRegion(index: IndexTable, store: Buffer, source: HeaderSource): Region {
  const tag = index.tag[0] as number
  const offset = index.offset[0] as number
  if (index.type[0] !== BIN || index.count[0] !== indexEntryBytes)
    source.failEntry(index, 0, 'malformed region tag')
  if (offset < 0 || offset + indexEntryBytes > store.length)
    source.failEntry(index, 0, 'region trailer outside the data')
  let trailerTag = store.readUInt32BE(offset)
  const trailerType = store.readUInt32BE(offset + 4)
  const regionBytes = -store.readInt32BE(offset + 8)
  const trailerCount = store.readUInt32BE(offset + 12)
  // Some old packages carry HEADERIMAGE in their signature region trailer; rpm accepts that.
  if (tag === tags.HEADERSIGNATURES && trailerTag === tags.HEADERIMAGE) trailerTag = tag
  if (trailerTag !== tag || trailerType !== BIN || trailerCount !== indexEntryBytes)
    source.fail(`malformed region trailer (tag ${trailerTag} type ${trailerType} count ${trailerCount})`)
  const tagCount = index.tag.length
  const entryCount = offset === 0 ? tagCount : regionBytes / indexEntryBytes
  if (!Number.isInteger(entryCount) || entryCount < 1 || entryCount > tagCount)
    source.fail(`region claims ${regionBytes} bytes of index entries but the header has ${tagCount} entries`)
  return { tag, entryCount, dataLength: offset + indexEntryBytes }
}

/**
 * rpm's per-entry checks (hdrblobVerifyInfo): known types, counts, alignment, data inside the store,
 * entries in data order without overlap, none over the region trailer; sets each entry's limit.
 * A string entry's exact length is found when it is decoded; until then it counts one byte per string.
 */
function verifyEntries(
  index: IndexTable,
  region: Region | undefined,
  store: Buffer,
  source: HeaderSource,
): void {
  const dataLength = store.length
  const regionData = region?.dataLength ?? 0
  const trailerStart = regionData - indexEntryBytes
  const checkTypes = region?.tag === tags.HEADERIMMUTABLE || region?.tag === tags.HEADERIMAGE
  const tagCount = index.tag.length
  let end = 0
  for (let i = region ? 1 : 0; i < tagCount; i++) {
    const tag = index.tag[i] as number
    const type = index.type[i] as number
    const offset = index.offset[i] as number
    const count = index.count[i] as number
    if (end > offset) source.failEntry(index, i, 'overlaps the previous entry')
    if (tag < firstDataTag) source.failEntry(index, i, 'tag number is reserved')
    if (type < CHAR || type > I18NSTRING) source.failEntry(index, i, 'unknown data type')
    if (count < 1 || count > dataLength) source.failEntry(index, i, 'count out of range')
    if (offset % (alignments[type] as number) !== 0) source.failEntry(index, i, 'data is misaligned')
    if (offset < 0 || offset > dataLength) source.failEntry(index, i, 'data offset outside the data store')
    if (type !== BIN && count > maxArrayElements) source.failEntry(index, i, 'array has too many elements')
    if (type === STRING && count !== 1) source.failEntry(index, i, 'a string tag must have count 1')
    if (checkTypes) {
      const wanted = expectedTagTypes.get(tag)
      if (wanted !== undefined && (wanted === 'string' ? !isStringType(type) : wanted !== type))
        source.failEntry(index, i, 'data type does not match the tag')
    }
    const size = elementBytes[type] as number
    end = offset + (size === 0 ? count : size * count)
    let limit = i + 1 < tagCount ? Math.min(index.offset[i + 1] as number, dataLength) : dataLength
    if (offset < regionData) limit = Math.min(limit, trailerStart)
    if (end > limit) source.failEntry(index, i, 'data runs into the next entry or the region trailer')
    index.limit[i] = limit
  }
}

/**
 * The data length rpm computes when it loads entries `from`..`to` (regionSwab): each entry
 * aligned after the previous, a string's length running to the next entry's data. Only the last
 * entry's strings are scanned. A header whose total differs from its data length is refused.
 */
function packedLength(
  index: IndexTable,
  from: number,
  to: number,
  start: number,
  store: Buffer,
  source: HeaderSource,
): number {
  let length = start
  for (let i = from; i < to; i++) {
    const type = index.type[i] as number
    const offset = index.offset[i] as number
    if (offset >= store.length) source.failEntry(index, i, 'data starts at or past the end of the data')
    let size: number
    if (!isStringType(type)) size = (elementBytes[type] as number) * (index.count[i] as number)
    else if (i + 1 < to) size = (index.offset[i + 1] as number) - offset
    else size = stringsEnd(index, i, store, source) - offset
    if (size < 0) source.failEntry(index, i, 'data runs backwards')
    const alignment = alignments[type] as number
    length += (alignment - (length % alignment)) % alignment
    length += size
  }
  return length
}

function stringsEnd(index: IndexTable, i: number, store: Buffer, source: HeaderSource): number {
  const area = store.subarray(0, index.limit[i])
  const wanted =
    index.type[i] === STRING_ARRAY || index.type[i] === I18NSTRING ? (index.count[i] as number) : 1
  let at = index.offset[i] as number
  for (let n = 0; n < wanted; n++) {
    const nul = area.indexOf(0, at)
    if (nul < 0) source.failEntry(index, i, `string ${n + 1} of ${wanted} does not end within its data`)
    at = nul + 1
  }
  return at
}
