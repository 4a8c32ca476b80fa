/**
 * @module
 * The addresses the running kernel has now, read from /proc without netlink or `ip`:
 * IPv6 from /proc/net/if_inet6 (address, prefix length, device), IPv4 from the `/32 host LOCAL`
 * leaves of /proc/net/fib_trie. fib_trie names no device, but a local address receives traffic on
 * any interface, which is what an anycast node needs; where an address is configured comes from
 * the configuration files.
 */
import { canonicalAddress } from '../../anycast/ip-prefix.ts'

export interface KernelAddress {
  address: string
  family: 4 | 6
  /** Known for IPv6 only. */
  interface?: string
  prefixLength?: number
}

/** `20010db8000000000000000000000001 01 80 00 80 lo` lines. */
export function parseIfInet6(text: string): KernelAddress[] {
  const found: KernelAddress[] = []
  for (const line of text.split('\n')) {
    const [hex, , length, , , device] = line.trim().split(/\s+/)
    if (!hex || !/^[0-9a-f]{32}$/i.test(hex) || !length || !device) continue
    const groups = hex.match(/.{4}/g) ?? []
    found.push({
      address: canonicalAddress(groups.join(':')),
      family: 6,
      interface: device,
      prefixLength: Number.parseInt(length, 16),
    })
  }
  return found
}

/** Local IPv4 addresses: a `|-- A.B.C.D` leaf followed by a `/32 host LOCAL` line. */
export function parseFibTrie(text: string): KernelAddress[] {
  const found = new Map<string, KernelAddress>()
  let leaf: string | undefined
  for (const line of text.split('\n')) {
    const leafMatch = /\|--\s+(\d+\.\d+\.\d+\.\d+)/.exec(line)
    if (leafMatch) {
      leaf = leafMatch[1]
      continue
    }
    if (leaf && /^\s*\/32 host LOCAL\b/.test(line)) found.set(leaf, { address: leaf, family: 4 })
  }
  return [...found.values()]
}
