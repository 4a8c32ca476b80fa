import { SqliteFormatError } from './sqlite-format-error.ts'

/** The committed state a `-wal` file adds on top of the main database file. */
export interface WalSnapshot {
  pageSize: number
  /** Database size in pages after the last valid commit. */
  pageCount: number
  /** The newest committed image of each page (views into the WAL bytes). */
  pages: Map<number, Uint8Array>
}

const walHeaderSize = 32
const frameHeaderSize = 24
const walFormatVersion = 3007000

/**
 * Replays a WAL (https://www.sqlite.org/fileformat2.html#the_write_ahead_log) as sqlite's recovery
 * does. Frames count only while their salts equal the header's and their cumulative checksum
 * matches; of those, only frames up to the last commit frame. Returns undefined when sqlite would
 * treat the WAL as empty: shorter than its header, a wrong magic, an invalid page size, a header
 * checksum mismatch, or no valid commit. An unknown WAL format version is an error, as in sqlite.
 */
export function walSnapshot(wal: Uint8Array, name: string): WalSnapshot | undefined {
  if (wal.length < walHeaderSize) return undefined
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength)
  const magic = view.getUint32(0)
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined
  const version = view.getUint32(4)
  if (version !== walFormatVersion) throw new SqliteFormatError(name, `unknown WAL format version ${version}`)
  const pageSize = view.getUint32(8)
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined
  // Checksum words are read in the byte order the magic number names (0x...83: big-endian).
  const littleEndian = magic === 0x377f0682
  let checksum = walChecksum(view, 0, 24, littleEndian, 0, 0)
  if (checksum[0] !== view.getUint32(24) || checksum[1] !== view.getUint32(28)) return undefined
  const salt1 = view.getUint32(16)
  const salt2 = view.getUint32(20)

  const pages = new Map<number, Uint8Array>()
  const uncommitted: [page: number, offset: number][] = []
  let pageCount: number | undefined
  const frameSize = frameHeaderSize + pageSize
  for (let frame = walHeaderSize; frame + frameSize <= wal.length; frame += frameSize) {
    const page = view.getUint32(frame)
    if (page === 0 || view.getUint32(frame + 8) !== salt1 || view.getUint32(frame + 12) !== salt2) break
    checksum = walChecksum(view, frame, frame + 8, littleEndian, checksum[0], checksum[1])
    checksum = walChecksum(
      view,
      frame + frameHeaderSize,
      frame + frameSize,
      littleEndian,
      checksum[0],
      checksum[1],
    )
    if (checksum[0] !== view.getUint32(frame + 16) || checksum[1] !== view.getUint32(frame + 20)) break
    uncommitted.push([page, frame + frameHeaderSize])
    const commitSize = view.getUint32(frame + 4)
    if (commitSize === 0) continue
    for (const [committedPage, offset] of uncommitted)
      pages.set(committedPage, wal.subarray(offset, offset + pageSize))
    uncommitted.length = 0
    pageCount = commitSize
  }
  return pageCount === undefined ? undefined : { pageSize, pageCount, pages }
}

/** sqlite's WAL checksum: two 32-bit sums over pairs of words, continued from (s0, s1). */
export function walChecksum(
  view: DataView,
  start: number,
  end: number,
  littleEndian: boolean,
  s0: number,
  s1: number,
): [number, number] {
  let sum0 = s0
  let sum1 = s1
  for (let offset = start; offset < end; offset += 8) {
    sum0 = (sum0 + view.getUint32(offset, littleEndian) + sum1) >>> 0
    sum1 = (sum1 + view.getUint32(offset + 4, littleEndian) + sum0) >>> 0
  }
  return [sum0, sum1]
}
