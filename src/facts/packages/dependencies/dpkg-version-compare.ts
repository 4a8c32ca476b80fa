/**
 * @module
 * dpkg's version order (deb-version(7), dpkg_version_compare): epochs numerically, then the
 * upstream version and the revision each compared as alternating non-digit and digit runs, where
 * letters sort before other characters and `~` before everything, even the end of the string
 * (1.0~rc1 << 1.0).
 */
import { type DebianVersion, parseDebianVersion } from '../dpkg/dpkg-status.ts'

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

/** Sort weight of one character of a non-digit run; NaN (past the end) weighs as the end. */
function weight(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0
  if (isAlpha(code)) return code
  if (code === 0x7e) return -1
  return code + 256
}

/** dpkg's verrevcmp: compares an upstream version or a revision. */
function compareVersionPart(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let firstDifference = 0
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const difference = weight(a.charCodeAt(i)) - weight(b.charCodeAt(j))
      if (difference !== 0) return difference
      i++
      j++
    }
    while (a[i] === '0') i++
    while (b[j] === '0') j++
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j)
      i++
      j++
    }
    if (isDigit(a.charCodeAt(i))) return 1
    if (isDigit(b.charCodeAt(j))) return -1
    if (firstDifference !== 0) return firstDifference
  }
  return 0
}

/** A version as dpkg compares it; a version dpkg would reject is compared as its whole text. */
function versionParts(text: string): DebianVersion {
  const parsed = parseDebianVersion(text.trim())
  return typeof parsed === 'string' ? { upstream: text } : parsed
}

/** Negative, zero or positive as `dpkg --compare-versions a lt/eq/gt b` would hold. */
export function dpkgVersionCompare(a: string, b: string): number {
  const left = versionParts(a)
  const right = versionParts(b)
  const epochs = (left.epoch ?? 0) - (right.epoch ?? 0)
  if (epochs !== 0) return epochs
  return (
    compareVersionPart(left.upstream, right.upstream) ||
    compareVersionPart(left.revision ?? '', right.revision ?? '')
  )
}
