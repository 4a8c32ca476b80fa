/**
 * Writes rpm header blobs for tests, laid out as rpm's headerExport does: entries in data order,
 * each aligned to its type, an immutable region whose trailer follows the region's data, then
 * "dribble" entries after it. Tests then break one thing at a time.
 */
import { tags, tagTypes } from '../../../../src/facts/packages/rpm/tags.ts'

export interface TagValue {
  tag: number
  type: number
  /** Strings (STRING, STRING_ARRAY, I18NSTRING), numbers (CHAR…INT64) or bytes (BIN). */
  value: string[] | number[] | Buffer
}

const sizes: Record<number, number> = {
  [tagTypes.CHAR]: 1,
  [tagTypes.INT8]: 1,
  [tagTypes.INT16]: 2,
  [tagTypes.INT32]: 4,
  [tagTypes.INT64]: 8,
}

function encode({ type, value }: TagValue): { data: Buffer; count: number } {
  if (Buffer.isBuffer(value)) return { data: value, count: value.length }
  if (type === tagTypes.STRING || type === tagTypes.STRING_ARRAY || type === tagTypes.I18NSTRING) {
    const strings = value as string[]
    return { data: Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'latin1'))), count: strings.length }
  }
  const size = sizes[type] as number
  const numbers = value as number[]
  const data = Buffer.alloc(size * numbers.length)
  numbers.forEach((n, i) => {
    if (size === 1) data.writeUInt8(n, i)
    else if (size === 2) data.writeUInt16BE(n, 2 * i)
    else if (size === 4) data.writeUInt32BE(n, 4 * i)
    else data.writeBigUInt64BE(BigInt(n), 8 * i)
  })
  return { data, count: numbers.length }
}

/** A header blob; `region: false` writes a pre-region (rpm 3) header. */
export function buildHeader(
  entries: TagValue[],
  options: { region?: boolean; dribbles?: TagValue[] } = {},
): Buffer {
  const region = options.region ?? true
  const index: Buffer[] = []
  const data: Buffer[] = []
  let length = 0
  const place = (entry: TagValue) => {
    const { data: bytes, count } = encode(entry)
    const align = sizes[entry.type] ?? 1
    const pad = (align - (length % align)) % align
    if (pad) data.push(Buffer.alloc(pad))
    length += pad
    const info = Buffer.alloc(16)
    info.writeUInt32BE(entry.tag, 0)
    info.writeUInt32BE(entry.type, 4)
    info.writeInt32BE(length, 8)
    info.writeUInt32BE(count, 12)
    index.push(info)
    data.push(bytes)
    length += bytes.length
  }
  for (const entry of entries) place(entry)
  if (region) {
    const regionEntries = entries.length + 1
    const trailer = Buffer.alloc(16)
    trailer.writeUInt32BE(tags.HEADERIMMUTABLE, 0)
    trailer.writeUInt32BE(tagTypes.BIN, 4)
    trailer.writeInt32BE(-regionEntries * 16, 8)
    trailer.writeUInt32BE(16, 12)
    const regionInfo = Buffer.alloc(16)
    regionInfo.writeUInt32BE(tags.HEADERIMMUTABLE, 0)
    regionInfo.writeUInt32BE(tagTypes.BIN, 4)
    regionInfo.writeInt32BE(length, 8)
    regionInfo.writeUInt32BE(16, 12)
    index.unshift(regionInfo)
    data.push(trailer)
    length += 16
  }
  for (const entry of options.dribbles ?? []) place(entry)
  const intro = Buffer.alloc(8)
  intro.writeUInt32BE(index.length, 0)
  intro.writeUInt32BE(length, 4)
  return Buffer.concat([intro, ...index, ...data])
}

export const packageTags = (name: string, more: TagValue[] = []): TagValue[] => [
  { tag: tags.NAME, type: tagTypes.STRING, value: [name] },
  { tag: tags.VERSION, type: tagTypes.STRING, value: ['1.0'] },
  { tag: tags.RELEASE, type: tagTypes.STRING, value: ['1.el7'] },
  { tag: tags.SUMMARY, type: tagTypes.I18NSTRING, value: ['A package', 'Ein Paket'] },
  ...more,
  { tag: tags.ARCH, type: tagTypes.STRING, value: ['x86_64'] },
]
