/**
 * @module
 * rpm's version order (rpmvercmp of rpm 4.18) and the `[epoch:]version[-release]` range test its
 * dependency checks use (rpmverOverlap). Both are rpm's exact rules, including the odd ones: a
 * missing epoch counts as 0, a missing release matches any release when the other side says
 * "=", and `~` sorts before everything (1.0~rc1 < 1.0) while `^` sorts after the base version
 * but before the next one (1.0 < 1.0^git1 < 1.0.1).
 */
import { senseFlags } from '../rpm/tags.ts'

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

/** rpm skips every other character between segments; `~` and `^` are separators that sort. */
function isSegmentStart(text: string, at: number): boolean {
  const code = text.charCodeAt(at)
  return isDigit(code) || isAlpha(code) || text[at] === '~' || text[at] === '^'
}

function segmentEnd(text: string, from: number, numeric: boolean): number {
  let at = from
  while (at < text.length && (numeric ? isDigit : isAlpha)(text.charCodeAt(at))) at++
  return at
}

/** -1, 0 or 1 as `rpmvercmp(a, b)`: segment by segment, numbers numerically, letters by ASCII. */
export function rpmVersionCompare(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while (i < a.length && !isSegmentStart(a, i)) i++
    while (j < b.length && !isSegmentStart(b, j)) j++
    const charA = a[i]
    const charB = b[j]

    if (charA === '~' || charB === '~') {
      if (charA !== '~') return 1
      if (charB !== '~') return -1
      i++
      j++
      continue
    }
    // A caret is like a tilde, except that the version that ended first is the lower one.
    if (charA === '^' || charB === '^') {
      if (charA === undefined) return -1
      if (charB === undefined) return 1
      if (charA !== '^') return 1
      if (charB !== '^') return -1
      i++
      j++
      continue
    }
    if (charA === undefined || charB === undefined) break

    const numeric = isDigit(a.charCodeAt(i))
    const endA = segmentEnd(a, i, numeric)
    const endB = segmentEnd(b, j, numeric)
    // Segments of different types: the numeric one is newer.
    if (endB === j) return numeric ? 1 : -1
    let segmentA = a.slice(i, endA)
    let segmentB = b.slice(j, endB)
    if (numeric) {
      segmentA = segmentA.replace(/^0+/, '')
      segmentB = segmentB.replace(/^0+/, '')
      if (segmentA.length !== segmentB.length) return segmentA.length > segmentB.length ? 1 : -1
    }
    if (segmentA !== segmentB) return segmentA < segmentB ? -1 : 1
    i = endA
    j = endB
  }
  if (i >= a.length && j >= b.length) return 0
  return i < a.length ? 1 : -1
}

export interface RpmEvr {
  /** Absent when the text has no `digits:` prefix. */
  epoch?: string
  version: string
  /** Absent when the text has no '-'. */
  release?: string
}

/** Splits `[epoch:]version[-release]` as rpm does: the epoch is leading digits before ':', the release follows the last '-'. */
export function parseRpmEvr(text: string): RpmEvr {
  let digits = 0
  while (digits < text.length && isDigit(text.charCodeAt(digits))) digits++
  const hasEpoch = text[digits] === ':'
  const rest = hasEpoch ? text.slice(digits + 1) : text
  const hyphen = rest.lastIndexOf('-')
  const version = hyphen < 0 ? rest : rest.slice(0, hyphen)
  const evr: RpmEvr = { version }
  if (hasEpoch) evr.epoch = digits === 0 ? '0' : text.slice(0, digits)
  if (hyphen >= 0) evr.release = rest.slice(hyphen + 1)
  return evr
}

const senseMask = senseFlags.LESS | senseFlags.GREATER | senseFlags.EQUAL

/**
 * Whether two versioned capabilities overlap, as rpm decides whether a provide satisfies a
 * require (rpmdsCompare): an unversioned side, or one without comparison flags, always overlaps.
 */
export function rpmRangesOverlap(
  provided: { flags: number; version: string },
  required: { flags: number; version: string },
): boolean {
  if (!(provided.flags & senseMask) || !(required.flags & senseMask)) return true
  if (provided.version === '' || required.version === '') return true
  const a = parseRpmEvr(provided.version)
  const b = parseRpmEvr(required.version)
  const flagsA = provided.flags
  const flagsB = required.flags

  let sense = 0
  if (a.epoch && b.epoch) sense = rpmVersionCompare(a.epoch, b.epoch)
  else if (a.epoch && Number(a.epoch) > 0) sense = 1
  else if (b.epoch && Number(b.epoch) > 0) sense = -1
  if (sense === 0) {
    sense = rpmVersionCompare(a.version, b.version)
    if (sense === 0) {
      if (a.release && b.release) sense = rpmVersionCompare(a.release, b.release)
      // A side without a release matches every release of the other when it says '='.
      else if ((a.release && flagsB & senseFlags.EQUAL) || (b.release && flagsA & senseFlags.EQUAL))
        return true
    }
  }
  if (sense < 0) return Boolean(flagsA & senseFlags.GREATER || flagsB & senseFlags.LESS)
  if (sense > 0) return Boolean(flagsA & senseFlags.LESS || flagsB & senseFlags.GREATER)
  return Boolean(
    (flagsA & senseFlags.EQUAL && flagsB & senseFlags.EQUAL) ||
      (flagsA & senseFlags.LESS && flagsB & senseFlags.LESS) ||
      (flagsA & senseFlags.GREATER && flagsB & senseFlags.GREATER),
  )
}
