/**
 * @module
 * systemd-networkd (systemd.network(5)): *.network files in /etc, /run and /usr/lib (a file in
 * an earlier directory masks one of the same name in a later one), each matching interfaces by
 * `[Match] Name=` globs and giving `Address=` in [Network] or in [Address] sections; `DHCP=`
 * other than `no` means an address from DHCP. `Address=0.0.0.0/N` asks networkd for a free range
 * (systemd's container templates), not an address, and a file that matches on `Virtualization=`
 * (those templates again) cannot be told to apply to an assessed root: both are left out.
 */
import type { Host } from '../../host/host.ts'
import { parseUnitFile } from '../services/parse-unit-file.ts'
import { appendReading, emptyReading, type NetworkConfigReading } from './configured-address.ts'
import { parseInterfaceAddress } from './interface-address.ts'
import { layeredConfigFiles } from './layered-config-files.ts'

const networkdDirectories = [
  '/etc/systemd/network',
  '/run/systemd/network',
  '/usr/lib/systemd/network',
  '/lib/systemd/network',
]

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(name)
}

/** The interface a .network file configures: `lo` when a Name= glob matches it, else the first name as written. */
function interfaceOf(names: string[]): string | undefined {
  if (names.some((name) => globMatches(name, 'lo'))) return 'lo'
  return names[0]
}

export function parseNetworkFile(text: string, file: string): NetworkConfigReading {
  const reading = emptyReading()
  reading.files.push(file)
  const parsed = parseUnitFile(text, file)
  reading.warnings.push(...parsed.warnings)
  const names = parsed.entries
    .filter((entry) => entry.section === 'Match' && entry.key === 'Name')
    .flatMap((entry) => entry.value.split(/\s+/).filter(Boolean))
  const device = interfaceOf(names)
  const conditional = parsed.entries.some(
    (entry) => entry.section === 'Match' && entry.key === 'Virtualization',
  )
  if (device === undefined || conditional) return reading
  for (const entry of parsed.entries) {
    if (entry.key === 'Address' && (entry.section === 'Network' || entry.section === 'Address')) {
      const address = parseInterfaceAddress(entry.value)
      if (address?.address === '0.0.0.0' || address?.address === '::') continue
      if (address) {
        reading.addresses.push({
          ...address,
          interface: device,
          tool: 'systemd-networkd',
          file,
          line: entry.line,
        })
      } else
        reading.warnings.push({
          file,
          line: entry.line,
          message: `Address=${entry.value} is not an IP address`,
        })
    }
    if (
      entry.section === 'Network' &&
      entry.key === 'DHCP' &&
      !['no', 'false', '0', ''].includes(entry.value)
    ) {
      reading.dynamic.push({
        interface: device,
        method: `DHCP=${entry.value}`,
        tool: 'systemd-networkd',
        file,
        line: entry.line,
      })
    }
  }
  return reading
}

/** Every effective .network file; undefined when no networkd directory holds one. */
export async function readNetworkdAddresses(host: Host): Promise<NetworkConfigReading | undefined> {
  const files = await layeredConfigFiles(host, networkdDirectories, '.network')
  if (files.length === 0) return undefined
  const total = emptyReading()
  for (const path of files) {
    const text = await host.readText(path)
    // A link to /dev/null masks the file.
    if (text === undefined || text === '') continue
    appendReading(total, parseNetworkFile(text, path))
  }
  return total
}
