import { TextDecoder } from 'node:util'
import type { TextEncoding } from './database-header.ts'
import { exactInteger, readVarint } from './read-varint.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'

/** A stored value: NULL, INTEGER (a bigint beyond ±2^53), REAL, TEXT or BLOB (a view, not a copy). */
export type SqliteValue = null | number | bigint | string | Uint8Array

// ignoreBOM keeps a leading U+FEFF that is part of the stored text.
const textDecoders: Record<TextEncoding, TextDecoder> = {
  'utf-8': new TextDecoder('utf-8', { ignoreBOM: true }),
  'utf-16le': new TextDecoder('utf-16le', { ignoreBOM: true }),
  'utf-16be': new TextDecoder('utf-16be', { ignoreBOM: true }),
}
const float = new DataView(new ArrayBuffer(8))
const serialTypeSizes = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0]

/**
 * Decodes a record (https://www.sqlite.org/fileformat2.html#record_format): a header of serial
 * types, then the values. Every length is checked against the payload before it is used.
 */
export function decodeRecord(
  payload: Uint8Array,
  encoding: TextEncoding,
  name: string,
  page: number,
): SqliteValue[] {
  const headerSize = readVarint(payload, 0, payload.length)
  if (headerSize.length === 0 || headerSize.value < headerSize.length || headerSize.value > payload.length)
    throw recordError(
      name,
      page,
      `header size ${headerSize.value} does not fit the ${payload.length}-byte payload`,
    )
  const values: SqliteValue[] = []
  let body = headerSize.value
  for (let position = headerSize.length; position < headerSize.value; ) {
    const serial = readVarint(payload, position, headerSize.value)
    if (serial.length === 0) throw recordError(name, page, 'serial type runs past the record header')
    position += serial.length
    const type = serial.value
    if (type === 10 || type === 11) throw recordError(name, page, `reserved serial type ${type}`)
    const size = type < 12 ? (serialTypeSizes[type] as number) : Math.floor((type - 12) / 2)
    if (size > payload.length - body)
      throw recordError(name, page, `value of ${size} bytes runs past the ${payload.length}-byte payload`)
    values.push(decodeValue(payload, body, type, size, encoding))
    body += size
  }
  return values
}

function recordError(name: string, page: number, detail: string): SqliteFormatError {
  return new SqliteFormatError(name, `record: ${detail}`, page)
}

function decodeValue(
  bytes: Uint8Array,
  offset: number,
  type: number,
  size: number,
  encoding: TextEncoding,
): SqliteValue {
  switch (type) {
    case 0:
      return null
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return readSignedInteger(bytes, offset, size)
    case 6: {
      const high = readSignedInteger(bytes, offset, 4)
      const low = readSignedInteger(bytes, offset + 4, 4) >>> 0
      if (high > -0x200000 && high < 0x200000) return high * 0x100000000 + low
      return exactInteger((BigInt(high) << 32n) + BigInt(low))
    }
    case 7:
      for (let index = 0; index < 8; index++) float.setUint8(index, bytes[offset + index] as number)
      return float.getFloat64(0)
    case 8:
      return 0
    case 9:
      return 1
    default: {
      const value = bytes.subarray(offset, offset + size)
      return type % 2 === 0 ? value : textDecoders[encoding].decode(value)
    }
  }
}

/** A big-endian two's-complement integer of 1–6 bytes. */
function readSignedInteger(bytes: Uint8Array, offset: number, size: number): number {
  let value = (bytes[offset] as number) >= 0x80 ? -1 : 0
  for (let index = 0; index < size; index++) value = value * 256 + (bytes[offset + index] as number)
  return value
}
