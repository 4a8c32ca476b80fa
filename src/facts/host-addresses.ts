/**
 * @module
 * The IP addresses this host brings up: what its network configuration puts on each interface
 * at boot (ifupdown, systemd-networkd, EL ifcfg files, NetworkManager keyfiles — all that exist
 * are read, since a host can mix them), which interfaces take theirs from DHCP, and on a live
 * host also the kernel's local addresses right now. Anycast addresses live on lo; an address
 * that is up now but in no file is lost at the next boot.
 */
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import type {
  ConfiguredAddress,
  DynamicAddressing,
  NetworkConfigTool,
} from './host-addresses/configured-address.ts'
import { readIfcfgAddresses } from './host-addresses/ifcfg-addresses.ts'
import { readIfupdownAddresses } from './host-addresses/ifupdown-addresses.ts'
import { type KernelAddress, parseFibTrie, parseIfInet6 } from './host-addresses/kernel-addresses.ts'
import { readNetworkdAddresses } from './host-addresses/networkd-addresses.ts'
import { readNetworkManagerAddresses } from './host-addresses/networkmanager-addresses.ts'

export type { ConfiguredAddress, DynamicAddressing, KernelAddress }

export interface HostAddresses {
  configured: ConfiguredAddress[]
  dynamic: DynamicAddressing[]
  /** The tools this host configures its network with (files of its own, not only vendor defaults), with the files read. */
  tools: { tool: NetworkConfigTool; files: string[] }[]
  /** Live host only: the kernel's local addresses now. */
  kernel?: KernelAddress[]
  warnings: ParseWarning[]
}

export const hostAddresses = defineFact({
  id: 'hostAddresses',
  title: 'Interface addresses',
  async collect({ host }): Promise<HostAddresses> {
    const readers = [
      ['ifupdown', readIfupdownAddresses],
      ['systemd-networkd', readNetworkdAddresses],
      ['ifcfg', readIfcfgAddresses],
      ['NetworkManager', readNetworkManagerAddresses],
    ] as const
    const result: HostAddresses = { configured: [], dynamic: [], tools: [], warnings: [] }
    for (const [tool, read] of readers) {
      const reading = await read(host)
      if (!reading) continue
      result.configured.push(...reading.addresses)
      result.dynamic.push(...reading.dynamic)
      const ownFiles = reading.files.some(
        (file) => !file.startsWith('/usr/lib/') && !file.startsWith('/lib/'),
      )
      if (ownFiles || reading.addresses.length > 0 || reading.dynamic.length > 0)
        result.tools.push({ tool, files: reading.files })
      result.warnings.push(...reading.warnings)
    }
    if (host.live) {
      const v6 = await host.readText('/proc/net/if_inet6')
      const v4 = await host.readText('/proc/net/fib_trie')
      result.kernel = [...parseFibTrie(v4 ?? ''), ...parseIfInet6(v6 ?? '')]
    }
    return result
  },
})
