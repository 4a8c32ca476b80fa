/**
 * @module
 * Just enough of the DNS wire format (RFC 1035 §4) for a health check: build one query, and read
 * back the header, the echoed question and the answer count of a reply. Names in replies may be
 * compressed; pointers are followed with a hop limit so a hostile reply cannot loop us.
 */

const dnsTypes: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  ANY: 255,
}

const dnsClasses: Readonly<Record<string, number>> = { IN: 1, CH: 3, HS: 4 }

const dnsRcodes: Readonly<Record<string, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
}

/** `A` → 1, `TYPE65` → 65 (RFC 3597 spelling); undefined when unknown. */
export function dnsTypeCode(text: string): number | undefined {
  return codeOf(dnsTypes, 'TYPE', text)
}

export function dnsClassCode(text: string): number | undefined {
  return codeOf(dnsClasses, 'CLASS', text)
}

export function dnsRcodeCode(text: string): number | undefined {
  return codeOf(dnsRcodes, 'RCODE', text)
}

export function dnsRcodeName(code: number): string {
  return Object.entries(dnsRcodes).find(([, value]) => value === code)?.[0] ?? `RCODE${code}`
}

function codeOf(table: Readonly<Record<string, number>>, generic: string, text: string): number | undefined {
  const upper = text.toUpperCase()
  const known = table[upper]
  if (known !== undefined) return known
  const match = new RegExp(`^${generic}(\\d+)$`).exec(upper)
  const value = match ? Number(match[1]) : undefined
  return value !== undefined && value <= 0xffff ? value : undefined
}

export interface DnsQuestion {
  /** Lower-case, without the trailing dot; '' is the root. */
  readonly name: string
  readonly type: number
  readonly class: number
}

export interface DnsQuery extends DnsQuestion {
  readonly id: number
  readonly recursionDesired: boolean
}

export class DnsFormatError extends Error {
  override readonly name = 'DnsFormatError'
}

function normaliseName(name: string): string {
  return name === '.' ? '' : name.replace(/\.$/, '').toLowerCase()
}

/** The query message (no EDNS: a health check needs no large answers). */
export function encodeDnsQuery(query: DnsQuery): Buffer {
  const labels = normaliseName(query.name) === '' ? [] : normaliseName(query.name).split('.')
  const nameParts: Buffer[] = []
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii')
    if (bytes.length === 0 || bytes.length > 63)
      throw new DnsFormatError(`bad label '${label}' in ${query.name}`)
    nameParts.push(Buffer.from([bytes.length]), bytes)
  }
  nameParts.push(Buffer.from([0]))
  const qname = Buffer.concat(nameParts)
  if (qname.length > 255) throw new DnsFormatError(`name too long: ${query.name}`)
  const header = Buffer.alloc(12)
  header.writeUInt16BE(query.id & 0xffff, 0)
  header.writeUInt16BE(query.recursionDesired ? 0x0100 : 0, 2)
  header.writeUInt16BE(1, 4)
  const tail = Buffer.alloc(4)
  tail.writeUInt16BE(query.type, 0)
  tail.writeUInt16BE(query.class, 2)
  return Buffer.concat([header, qname, tail])
}

export interface DnsReply {
  readonly id: number
  readonly isResponse: boolean
  readonly opcode: number
  readonly authoritative: boolean
  readonly truncated: boolean
  readonly recursionDesired: boolean
  readonly recursionAvailable: boolean
  readonly rcode: number
  readonly questions: readonly DnsQuestion[]
  readonly answerCount: number
  readonly authorityCount: number
  readonly additionalCount: number
}

const maxPointerHops = 32

/** Reads a possibly compressed name at `offset`; returns it and the offset after it in the message. */
function readName(message: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = []
  let position = offset
  let next: number | undefined
  for (let hops = 0; ; ) {
    const length = message[position]
    if (length === undefined) throw new DnsFormatError('name runs past the end of the message')
    if ((length & 0xc0) === 0xc0) {
      const low = message[position + 1]
      if (low === undefined) throw new DnsFormatError('truncated compression pointer')
      if (++hops > maxPointerHops) throw new DnsFormatError('compression pointer loop')
      next ??= position + 2
      position = ((length & 0x3f) << 8) | low
      continue
    }
    if ((length & 0xc0) !== 0) throw new DnsFormatError(`unsupported label type 0x${length.toString(16)}`)
    if (length === 0) return { name: labels.join('.').toLowerCase(), next: next ?? position + 1 }
    if (position + 1 + length > message.length)
      throw new DnsFormatError('label runs past the end of the message')
    labels.push(message.toString('latin1', position + 1, position + 1 + length))
    position += 1 + length
  }
}

export function decodeDnsReply(message: Buffer): DnsReply {
  if (message.length < 12)
    throw new DnsFormatError(`message of ${message.length} bytes is shorter than a header`)
  const flags = message.readUInt16BE(2)
  const questionCount = message.readUInt16BE(4)
  const questions: DnsQuestion[] = []
  let offset = 12
  for (let i = 0; i < questionCount; i++) {
    const { name, next } = readName(message, offset)
    if (next + 4 > message.length) throw new DnsFormatError('question runs past the end of the message')
    questions.push({ name, type: message.readUInt16BE(next), class: message.readUInt16BE(next + 2) })
    offset = next + 4
  }
  return {
    id: message.readUInt16BE(0),
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answerCount: message.readUInt16BE(6),
    authorityCount: message.readUInt16BE(8),
    additionalCount: message.readUInt16BE(10),
  }
}

/** Why `reply` is not the answer to `query`, or undefined when it is. */
export function replyMismatch(query: DnsQuery, reply: DnsReply): string | undefined {
  if (!reply.isResponse) return 'message is not a response (QR=0)'
  if (reply.id !== (query.id & 0xffff)) return `response id ${reply.id} does not match query id ${query.id}`
  const question = reply.questions[0]
  // FORMERR/NOTIMP replies may omit the question; any other reply must echo it.
  if (!question)
    return reply.rcode === 1 || reply.rcode === 4 ? undefined : 'response has no question section'
  if (
    question.name !== normaliseName(query.name) ||
    question.type !== query.type ||
    question.class !== query.class
  ) {
    return `response is for ${question.name || '.'} type ${question.type}, not the question asked`
  }
  return undefined
}

/** The 2-byte length prefix DNS over TCP puts in front of every message (RFC 1035 §4.2.2). */
export function frameForTcp(message: Buffer): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(message.length, 0)
  return Buffer.concat([length, message])
}
