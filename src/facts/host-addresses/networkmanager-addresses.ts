/**
 * @module
 * NetworkManager keyfiles (nm-settings-keyfile(5)): *.nmconnection in
 * /etc/NetworkManager/system-connections (and /run, /usr/lib), `[connection] interface-name=`,
 * `[ipv4]`/`[ipv6]` with `address1=ADDR/LEN[,GATEWAY]` (also `addresses1=`), and `method=auto`
 * for DHCP or router advertisements. NetworkManager 1.42+ manages lo with `type=loopback`.
 */
import type { Host } from '../../host/host.ts'
import { parseIni } from '../ini/parse-ini.ts'
import { appendReading, emptyReading, type NetworkConfigReading } from './configured-address.ts'
import { parseInterfaceAddress } from './interface-address.ts'
import { layeredConfigFiles } from './layered-config-files.ts'

const networkManagerDirectories = [
  '/etc/NetworkManager/system-connections',
  '/run/NetworkManager/system-connections',
  '/usr/lib/NetworkManager/system-connections',
]

export function parseKeyfile(text: string, file: string): NetworkConfigReading {
  const reading = emptyReading()
  reading.files.push(file)
  const document = parseIni(text, file)
  reading.warnings.push(...document.warnings)
  const connection = document.sections.find((section) => section.name === 'connection')
  const entry = (section: typeof connection, key: string) => section?.entries.find((e) => e.key === key)
  const type = entry(connection, 'type')?.value
  const device = entry(connection, 'interface-name')?.value ?? (type === 'loopback' ? 'lo' : undefined)
  if (device === undefined) return reading
  if (entry(connection, 'autoconnect')?.value === 'false') return reading
  for (const section of document.sections) {
    if (section.name !== 'ipv4' && section.name !== 'ipv6') continue
    for (const { key, value, line } of section.entries) {
      if (key === 'method' && value === 'auto') {
        reading.dynamic.push({
          interface: device,
          method: `${section.name}.method=auto`,
          tool: 'NetworkManager',
          file,
          line,
        })
      }
      if (!/^address(es)?\d*$/.test(key)) continue
      for (const item of value.split(';').filter(Boolean)) {
        const address = parseInterfaceAddress(item.split(',')[0] ?? '')
        if (address)
          reading.addresses.push({ ...address, interface: device, tool: 'NetworkManager', file, line })
        else reading.warnings.push({ file, line, message: `${key}: '${item}' is not an address` })
      }
    }
  }
  return reading
}

/** Every keyfile (an earlier directory masks a later file of the same name); undefined when there is none. */
export async function readNetworkManagerAddresses(host: Host): Promise<NetworkConfigReading | undefined> {
  const files = await layeredConfigFiles(host, networkManagerDirectories, '.nmconnection')
  if (files.length === 0) return undefined
  const total = emptyReading()
  for (const path of files) {
    const text = await host.readText(path)
    if (text === undefined) continue
    appendReading(total, parseKeyfile(text, path))
  }
  return total
}
