/** A decoded SQLite varint and the number of bytes it took (0 when it ran past the end). */
export interface Varint {
  value: number
  length: number
}

const truncated: Varint = { value: 0, length: 0 }

/**
 * Reads an unsigned varint (1–9 bytes, big-endian, 7 bits per byte, all 8 bits in the ninth)
 * from `bytes[offset..end)`. Values above 2^53 lose precision; callers use this for lengths
 * and serial types, which they bound far below that.
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number): Varint {
  let value = 0
  for (let index = 0; index < 8; index++) {
    if (offset + index >= end) return truncated
    const byte = bytes[offset + index] as number
    value = value * 128 + (byte & 0x7f)
    if (byte < 0x80) return { value, length: index + 1 }
  }
  if (offset + 8 >= end) return truncated
  return { value: value * 256 + (bytes[offset + 8] as number), length: 9 }
}

/** A rowid or integer key: a signed 64-bit varint, exact (a bigint beyond ±2^53). */
export function readSignedVarint(
  bytes: Uint8Array,
  offset: number,
  end: number,
): { value: number | bigint; length: number } {
  const varint = readVarint(bytes, offset, end)
  // Seven bytes hold 49 bits: exact as a number and never negative.
  if (varint.length <= 7) return varint
  let value = 0n
  for (let index = 0; index < varint.length; index++) {
    const byte = BigInt(bytes[offset + index] as number)
    value = index === 8 ? (value << 8n) | byte : (value << 7n) | (byte & 0x7fn)
  }
  return { value: exactInteger(BigInt.asIntN(64, value)), length: varint.length }
}

/** A 64-bit integer as a number when that is exact, else as a bigint. */
export function exactInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value
}
