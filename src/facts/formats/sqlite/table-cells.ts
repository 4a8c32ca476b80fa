import type { Pager } from './pager.ts'
import { readSignedVarint, readVarint } from './read-varint.ts'
import { SqliteFormatError } from './sqlite-format-error.ts'

/** One row of a table b-tree: its rowid and its record bytes (overflow chain already joined). */
export interface TableCell {
  rowid: number | bigint
  payload: Uint8Array
  /** The leaf page holding the cell, for error messages. */
  page: number
}

const interiorTablePage = 0x05
const leafTablePage = 0x0d

interface OpenPage {
  number: number
  bytes: Uint8Array
  cellPointers: number
  cellCount: number
  /** Next child to descend into; cellCount means the right-most pointer. */
  nextChild: number
}

/**
 * Walks a table b-tree (https://www.sqlite.org/fileformat2.html#b_tree_pages) in rowid order,
 * lazily, with an explicit stack. Every page may be met once per walk, as a tree or an overflow
 * page, so a cycle or a shared page is reported instead of looping.
 */
export function* tableCells(pager: Pager, rootPage: number): Generator<TableCell> {
  const visited = new Set<number>()
  const stack: OpenPage[] = [openPage(pager, rootPage, visited, undefined)]
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as OpenPage
    const { bytes, number } = top
    if (bytes[pageHeaderOffset(number)] === leafTablePage) {
      for (let index = 0; index < top.cellCount; index++)
        yield leafCell(pager, top, cellOffset(pager, top, index), visited)
      stack.pop()
    } else if (top.nextChild <= top.cellCount) {
      const child =
        top.nextChild === top.cellCount
          ? readUint32(bytes, pageHeaderOffset(number) + 8)
          : readUint32(bytes, cellOffset(pager, top, top.nextChild))
      top.nextChild++
      stack.push(openPage(pager, child, visited, number))
    } else {
      stack.pop()
    }
  }
}

function pageHeaderOffset(page: number): number {
  return page === 1 ? 100 : 0
}

function openPage(pager: Pager, number: number, visited: Set<number>, parent: number | undefined): OpenPage {
  const bytes = treePage(pager, number, visited, parent)
  const header = pageHeaderOffset(number)
  const type = bytes[header]
  if (type !== leafTablePage && type !== interiorTablePage)
    throw new SqliteFormatError(
      pager.name,
      `not a table b-tree page (type 0x${(type ?? 0).toString(16).padStart(2, '0')})`,
      number,
    )
  const cellCount = readUint16(bytes, header + 3)
  const cellPointers = header + (type === leafTablePage ? 8 : 12)
  if (cellPointers + 2 * cellCount > pager.header.usableSize)
    throw new SqliteFormatError(pager.name, `${cellCount} cell pointers do not fit the page`, number)
  return { number, bytes, cellPointers, cellCount, nextChild: 0 }
}

/**
 * A page of this walk, checked to exist and to be met for the first time. `referrer` is the page
 * pointing to it, undefined for the root (which the schema names).
 */
function treePage(
  pager: Pager,
  number: number,
  visited: Set<number>,
  referrer: number | undefined,
): Uint8Array {
  if (number < 1 || number > pager.pageCount)
    throw new SqliteFormatError(
      pager.name,
      `${referrer === undefined ? 'root page' : 'refers to page'} ${number}, outside the database (${pager.pageCount} pages)`,
      referrer,
    )
  if (visited.has(number))
    throw new SqliteFormatError(
      pager.name,
      `refers to page ${number} a second time (a loop or a shared page)`,
      referrer,
    )
  visited.add(number)
  return pager.page(number)
}

function cellOffset(pager: Pager, page: OpenPage, index: number): number {
  const offset = readUint16(page.bytes, page.cellPointers + 2 * index)
  if (offset < page.cellPointers + 2 * page.cellCount || offset + 4 > pager.header.usableSize)
    throw new SqliteFormatError(
      pager.name,
      `cell ${index} points outside the cell content area (offset ${offset})`,
      page.number,
    )
  return offset
}

function leafCell(pager: Pager, page: OpenPage, offset: number, visited: Set<number>): TableCell {
  const { bytes, number } = page
  const { usableSize } = pager.header
  const size = readVarint(bytes, offset, usableSize)
  if (size.length === 0) throw cellError(pager, page, offset, 'payload size runs past the page')
  const rowid = readSignedVarint(bytes, offset + size.length, usableSize)
  if (rowid.length === 0) throw cellError(pager, page, offset, 'rowid runs past the page')
  const start = offset + size.length + rowid.length
  const payloadSize = size.value
  const local = localPayloadSize(payloadSize, usableSize)
  const overflows = local < payloadSize
  if (start + local + (overflows ? 4 : 0) > usableSize)
    throw cellError(pager, page, offset, `${local} bytes of payload run past the page`)
  if (!overflows) return { rowid: rowid.value, payload: bytes.subarray(start, start + local), page: number }

  // Bound the allocation by what the input can hold before trusting the size field.
  const perOverflowPage = usableSize - 4
  if (payloadSize - local > pager.availablePages * perOverflowPage)
    throw cellError(pager, page, offset, `payload size ${payloadSize} is larger than the whole database`)
  const payload = new Uint8Array(payloadSize)
  payload.set(bytes.subarray(start, start + local))
  let filled = local
  let next = readUint32(bytes, start + local)
  let referrer = number
  while (filled < payloadSize) {
    if (next === 0)
      throw cellError(pager, page, offset, `overflow chain ends after ${filled} of ${payloadSize} bytes`)
    const overflow = treePage(pager, next, visited, referrer)
    const take = Math.min(perOverflowPage, payloadSize - filled)
    payload.set(overflow.subarray(4, 4 + take), filled)
    filled += take
    referrer = next
    next = readUint32(overflow, 0)
  }
  return { rowid: rowid.value, payload, page: number }
}

function cellError(pager: Pager, page: OpenPage, offset: number, detail: string): SqliteFormatError {
  return new SqliteFormatError(pager.name, `cell at offset ${offset}: ${detail}`, page.number)
}

/** How much of a table leaf payload stays on the b-tree page (fileformat2 §1.6, U/P/X/M/K). */
export function localPayloadSize(payloadSize: number, usableSize: number): number {
  const maxLocal = usableSize - 35
  if (payloadSize <= maxLocal) return payloadSize
  const minLocal = Math.floor(((usableSize - 12) * 32) / 255) - 23
  const surplus = minLocal + ((payloadSize - minLocal) % (usableSize - 4))
  return surplus <= maxLocal ? surplus : minLocal
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number)
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] as number) * 0x1000000 +
    (((bytes[offset + 1] as number) << 16) |
      ((bytes[offset + 2] as number) << 8) |
      (bytes[offset + 3] as number))
  )
}
