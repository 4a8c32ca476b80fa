/**
 * A file name stored as bytes, shown safely: valid UTF-8 prints as itself, and every byte that is
 * not valid UTF-8 or is a control character prints as `\xNN` (a backslash as `\\`), so a name never
 * breaks a report line and two different names never print the same.
 */
export function printablePath(path: Buffer): string {
  let out = ''
  let at = 0
  while (at < path.length) {
    const byte = path[at] as number
    const length = utf8SequenceLength(path, at)
    if (length === 0 || byte < 0x20 || byte === 0x7f || byte === 0x5c) {
      out += byte === 0x5c ? '\\\\' : `\\x${byte.toString(16).padStart(2, '0')}`
      at += 1
    } else {
      out += path.toString('utf8', at, at + length)
      at += length
    }
  }
  return out
}

/** Length of the well-formed UTF-8 sequence at `at`, 0 when the bytes there are not one. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  const lead = bytes[at] as number
  if (lead < 0x80) return 1
  let length: number
  let min: number
  if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80]
  else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800]
  else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000]
  else return 0
  if (at + length > bytes.length) return 0
  let codePoint = lead & (0xff >> (length + 1))
  for (let i = 1; i < length; i++) {
    const next = bytes[at + i] as number
    if ((next & 0xc0) !== 0x80) return 0
    codePoint = (codePoint << 6) | (next & 0x3f)
  }
  const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff
  return codePoint < min || codePoint > 0x10ffff || surrogate ? 0 : length
}
