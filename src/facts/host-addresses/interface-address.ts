/**
 * @module
 * One interface address as network configuration files write it: `203.0.113.53/32`,
 * `203.0.113.53` with a separate netmask (`255.255.255.255` or `32`), `2001:db8::1/64`. Host
 * bits are allowed (an interface address is an address, not a network); the address is kept in
 * canonical form so it compares with BIRD's and the DNS servers' spelling.
 */
import { isIP } from 'node:net'
import { canonicalAddress, type IpPrefix, parsePrefix } from '../../anycast/ip-prefix.ts'

export interface InterfaceAddress {
  address: string
  family: 4 | 6
  prefixLength: number
}

/** `255.255.255.0` → 24; undefined for a non-contiguous mask. */
function maskLength(mask: string): number | undefined {
  if (/^\d+$/.test(mask)) return Number(mask)
  if (isIP(mask) !== 4) return undefined
  const bits = mask
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('')
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : undefined
}

/**
 * Parses `address[/length]`, taking the length from `netmask` when the address has none and
 * defaulting to a host prefix; undefined when the text is not an address.
 */
export function parseInterfaceAddress(text: string, netmask?: string): InterfaceAddress | undefined {
  const [address = '', length, extra] = text.trim().split('/')
  const family = isIP(address)
  if ((family !== 4 && family !== 6) || extra !== undefined) return undefined
  const bits = family === 4 ? 32 : 128
  const prefixLength =
    length !== undefined ? Number(length) : netmask !== undefined ? maskLength(netmask) : bits
  if (
    prefixLength === undefined ||
    !Number.isInteger(prefixLength) ||
    prefixLength < 0 ||
    prefixLength > bits
  )
    return undefined
  return { address: canonicalAddress(address), family, prefixLength }
}

/** `lo:1` → `lo`: an alias label brings the address up on its base device. */
export function baseDevice(name: string): string {
  return name.split(':')[0] ?? name
}

/** The loopback range, which every host has and no one announces: 127.0.0.0/8 and ::1. */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1'
}

function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::')
  const parts = (text: string) =>
    text === '' ? [] : text.split(':').map((group) => Number.parseInt(group, 16))
  const left = parts(head)
  const right = tail === undefined ? [] : parts(tail)
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
}

/** The network an interface address lies in (`198.51.100.7/24` → `198.51.100.0/24`): the route a direct protocol sees. */
export function networkOf(address: InterfaceAddress): IpPrefix {
  const { family, prefixLength } = address
  const width = family === 4 ? 8 : 16
  const groups = family === 4 ? address.address.split('.').map(Number) : expandIpv6(address.address)
  const masked = groups.map((group, index) => {
    const keep = Math.max(0, Math.min(width, prefixLength - index * width))
    return keep === 0 ? 0 : group & (((1 << keep) - 1) << (width - keep))
  })
  const text = family === 4 ? masked.join('.') : masked.map((group) => group.toString(16)).join(':')
  return parsePrefix(`${text}/${prefixLength}`)
}
