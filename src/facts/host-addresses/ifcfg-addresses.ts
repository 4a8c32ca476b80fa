/**
 * @module
 * Enterprise Linux network-scripts (and NetworkManager's ifcfg-rh plugin):
 * /etc/sysconfig/network-scripts/ifcfg-NAME shell-variable files. `DEVICE` (else the file name)
 * names the interface, `lo:1` an alias on lo; `IPADDR`/`PREFIX`/`NETMASK` and their numbered
 * forms (`IPADDR1`, `PREFIX1`) give IPv4 addresses, `IPV6ADDR` and `IPV6ADDR_SECONDARIES` IPv6
 * ones; `BOOTPROTO=dhcp` means DHCP. A file with `ONBOOT=no` brings nothing up at boot.
 */
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import { appendReading, emptyReading, type NetworkConfigReading } from './configured-address.ts'
import { baseDevice, parseInterfaceAddress } from './interface-address.ts'

const networkScriptsDirectory = '/etc/sysconfig/network-scripts'

interface ShellVariable {
  value: string
  line: number
}

/** `KEY=value`, `KEY="value"`, `KEY='value'` lines; `#` comments. */
function parseShellVariables(
  text: string,
  file: string,
): { variables: Map<string, ShellVariable>; warnings: ParseWarning[] } {
  const variables = new Map<string, ShellVariable>()
  const warnings: ParseWarning[] = []
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    const content = raw.trim()
    if (content === '' || content.startsWith('#')) return
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(content)
    if (!match) {
      warnings.push({ file, line, message: `expected KEY=value, found '${content}'` })
      return
    }
    let value = (match[2] ?? '').replace(/\s+#.*$/, '')
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2)
      value = value.slice(1, -1)
    variables.set(match[1] ?? '', { value, line })
  })
  return { variables, warnings }
}

export function parseIfcfg(text: string, file: string): NetworkConfigReading {
  const reading = emptyReading()
  reading.files.push(file)
  const { variables, warnings } = parseShellVariables(text, file)
  reading.warnings.push(...warnings)
  if (variables.get('ONBOOT')?.value.toLowerCase() === 'no') return reading
  const name = variables.get('DEVICE')?.value || file.slice(file.lastIndexOf('/') + 'ifcfg-'.length + 1)
  const device = baseDevice(name)
  const label = device !== name ? { label: name } : {}
  const bootproto = variables.get('BOOTPROTO')
  if (bootproto && ['dhcp', 'bootp'].includes(bootproto.value.toLowerCase())) {
    reading.dynamic.push({
      interface: device,
      method: bootproto.value,
      tool: 'ifcfg',
      file,
      line: bootproto.line,
    })
  }
  const add = (text: string, mask: string | undefined, line: number, problem: string) => {
    const address = parseInterfaceAddress(text, mask)
    if (address)
      reading.addresses.push({ ...address, interface: device, ...label, tool: 'ifcfg', file, line })
    else reading.warnings.push({ file, line, message: problem })
  }
  for (const [key, variable] of variables) {
    const v4 = /^IPADDR(\d*)$/.exec(key)
    if (v4) {
      const suffix = v4[1] ?? ''
      const mask = variables.get(`PREFIX${suffix}`)?.value ?? variables.get(`NETMASK${suffix}`)?.value
      add(variable.value, mask, variable.line, `${key}=${variable.value} is not an IPv4 address`)
    } else if (key === 'IPV6ADDR' || key === 'IPV6ADDR_SECONDARIES') {
      for (const text of variable.value.split(/\s+/).filter(Boolean))
        add(text, undefined, variable.line, `${key}: '${text}' is not an IPv6 address`)
    }
  }
  return reading
}

/** Every ifcfg-* file; undefined when the directory has none. */
export async function readIfcfgAddresses(host: Host): Promise<NetworkConfigReading | undefined> {
  const entries = (await host.readDir(networkScriptsDirectory)) ?? []
  // ifup skips backups and editor leftovers (network-functions: ignore_file_name).
  const files = entries.filter(
    (entry) =>
      entry.name.startsWith('ifcfg-') && !/(~|\.bak|\.orig|\.rpmnew|\.rpmorig|\.rpmsave)$/.test(entry.name),
  )
  if (files.length === 0) return undefined
  const total = emptyReading()
  for (const entry of files) {
    const path = `${networkScriptsDirectory}/${entry.name}`
    const text = await host.readText(path)
    if (text === undefined) continue
    appendReading(total, parseIfcfg(text, path))
  }
  return total
}
