/**
 * @module
 * IPv4/IPv6 prefixes in one canonical spelling (RFC 5952 for IPv6, as `ip -j addr` prints them),
 * so a prefix from the config, from `ip` and from BIRD compare as equal strings.
 */
import { isIPv4, isIPv6 } from 'node:net'

export interface IpPrefix {
  readonly family: 4 | 6
  /** Canonical address text. */
  readonly address: string
  readonly length: number
  /** `address/length`. */
  readonly text: string
}

export class PrefixError extends Error {
  override readonly name = 'PrefixError'
}

function ipv6ToBigInt(address: string): bigint {
  let text = address
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4Tail?.[1]) {
    const octets = v4Tail[1].split('.').map(Number)
    const high = ((octets[0] ?? 0) << 8) | (octets[1] ?? 0)
    const low = ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)
    text = `${text.slice(0, -v4Tail[1].length)}${high.toString(16)}:${low.toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups]
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n)
}

function bigIntToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn))
  // RFC 5952: compress the longest run (first one on a tie) of two or more zero groups.
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  const left = hex.slice(0, bestStart).join(':')
  const right = hex.slice(bestStart + bestLength).join(':')
  return `${left}::${right}`
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n)
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join('.')
}

/**
 * Parses `192.0.2.1/32`, `2001:db8::1/128` or a bare address (a host prefix). Host bits must be
 * zero: BIRD and the kernel would silently treat `198.51.100.5/24` as another prefix.
 */
export function parsePrefix(text: string): IpPrefix {
  const [addressText = '', lengthText, extra] = text.trim().split('/')
  if (extra !== undefined) throw new PrefixError(`'${text}' is not a prefix`)
  const family = isIPv4(addressText) ? 4 : isIPv6(addressText) ? 6 : undefined
  if (family === undefined) throw new PrefixError(`'${addressText}' is not an IPv4 or IPv6 address`)
  const bits = family === 4 ? 32 : 128
  const length = lengthText === undefined ? bits : Number(lengthText)
  if (!/^\d+$/.test(lengthText ?? String(bits)) || length > bits) {
    throw new PrefixError(`'/${lengthText}' is not a valid IPv${family} prefix length (0-${bits})`)
  }
  const value = family === 4 ? ipv4ToBigInt(addressText) : ipv6ToBigInt(addressText.toLowerCase())
  const hostMask = (1n << BigInt(bits - length)) - 1n
  if ((value & hostMask) !== 0n) {
    throw new PrefixError(
      `${text} has host bits set (an anycast prefix is a network: use /${bits} for one address)`,
    )
  }
  const address = family === 4 ? bigIntToIpv4(value) : bigIntToIpv6(value)
  return { family, address, length, text: `${address}/${length}` }
}

/** Canonical spelling of a single address (v4 or v6). */
export function canonicalAddress(address: string): string {
  return parsePrefix(address).address
}
