/**
 * @module
 * rpm's own "ndb" package store, `Packages.db` (SUSE since 15 SP3, openSUSE): a 32-byte header,
 * pages of 16-byte slots naming each package's blob by index, block offset and block count, then
 * the blobs in 16-byte blocks, each framed by a head (magic, index, generation, length) and a tail
 * (adler32, length, magic). Packages come out in blob order, as rpm lists them.
 */
import { RpmdbError } from './rpmdb-error.ts'

export interface NdbRecord {
  /** rpm's package index (the header instance). */
  packageIndex: number
  blob: Buffer | undefined
  /** Why the blob could not be read, when it could not. */
  problem?: string
}

const fileMagic = 0x506d7052 // 'RpmP'
const slotMagic = 0x746f6c53 // 'Slot'
const blobHeadMagic = 0x53626c42 // 'BlbS'
const blobTailMagic = 0x45626c42 // 'BlbE'
const pageBytes = 4096
const slotBytes = 16
const blockBytes = 16
const headerBytes = 32
const blobHeadBytes = 16
const blobTailBytes = 12

interface Slot {
  packageIndex: number
  blockOffset: number
  blockCount: number
}

/** Reads every package blob. Throws RpmdbError when the file is not an ndb store or its slots are broken. */
export function readNdb(bytes: Buffer, file: string): NdbRecord[] {
  const fail = (detail: string): never => {
    throw new RpmdbError(file, detail)
  }
  if (bytes.length < headerBytes) fail(`${bytes.length} bytes is too short for an ndb Packages.db`)
  if (bytes.readUInt32LE(0) !== fileMagic) fail('not an rpm ndb package database (no RpmP magic)')
  const version = bytes.readUInt32LE(4)
  if (version !== 0) fail(`unsupported ndb version ${version}`)
  const slotPages = bytes.readUInt32LE(12)
  if (bytes.length % blockBytes !== 0) fail(`file size ${bytes.length} is not a multiple of ${blockBytes}`)
  if (slotPages * pageBytes > bytes.length)
    fail(
      `file is truncated: ${slotPages} slot pages need ${slotPages * pageBytes} bytes, it has ${bytes.length}`,
    )

  const fileBlocks = bytes.length / blockBytes
  const firstBlobBlock = (slotPages * pageBytes) / blockBytes
  const slots: Slot[] = []
  for (let at = headerBytes; at < slotPages * pageBytes; at += slotBytes) {
    const slotNumber = at / slotBytes
    if (bytes.readUInt32LE(at) !== slotMagic) fail(`slot ${slotNumber} has no Slot magic`)
    const blockOffset = bytes.readUInt32LE(at + 8)
    if (blockOffset === 0) continue
    const packageIndex = bytes.readUInt32LE(at + 4)
    const blockCount = bytes.readUInt32LE(at + 12)
    if (packageIndex === 0 || blockCount === 0 || blockOffset < firstBlobBlock)
      fail(
        `slot ${slotNumber} is invalid (package ${packageIndex}, block ${blockOffset}, ${blockCount} blocks)`,
      )
    if (blockOffset + blockCount > fileBlocks)
      fail(
        `file is truncated: package ${packageIndex} ends at block ${blockOffset + blockCount} of ${fileBlocks}`,
      )
    slots.push({ packageIndex, blockOffset, blockCount })
  }
  slots.sort((a, b) => a.blockOffset - b.blockOffset)
  return slots.map((slot) => readBlob(bytes, slot))
}

/** rpm checks the framing of a blob when it reads it, but not its adler32 (only `rpmdb --verifydb` does). */
function readBlob(bytes: Buffer, { packageIndex, blockOffset, blockCount }: Slot): NdbRecord {
  const broken = (problem: string): NdbRecord => ({ packageIndex, blob: undefined, problem })
  const start = blockOffset * blockBytes
  const end = (blockOffset + blockCount) * blockBytes
  if (end - start < blobHeadBytes + blobTailBytes) return broken(`blob of ${blockCount} blocks is too small`)
  if (bytes.readUInt32LE(start) !== blobHeadMagic)
    return broken(`blob at block ${blockOffset} has no BlbS magic`)
  const storedIndex = bytes.readUInt32LE(start + 4)
  if (storedIndex !== packageIndex)
    return broken(`blob at block ${blockOffset} belongs to package ${storedIndex}`)
  const length = bytes.readUInt32LE(start + 12)
  if (Math.ceil((blobHeadBytes + length + blobTailBytes) / blockBytes) !== blockCount)
    return broken(`blob length ${length} does not match its ${blockCount} blocks`)
  const tail = end - blobTailBytes
  if (bytes.readUInt32LE(tail + 4) !== length || bytes.readUInt32LE(tail + 8) !== blobTailMagic)
    return broken(`blob at block ${blockOffset} has a damaged tail`)
  return { packageIndex, blob: bytes.subarray(start + blobHeadBytes, start + blobHeadBytes + length) }
}
