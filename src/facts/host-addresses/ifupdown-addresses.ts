/**
 * @module
 * Debian's ifupdown (interfaces(5)): /etc/network/interfaces with `source` (globs) and
 * `source-directory` includes, `iface NAME FAMILY METHOD` stanzas (several per interface are
 * allowed; all their addresses come up), `address`/`netmask` options, and the `ip addr add` /
 * `ifconfig` commands of `up`, `post-up` and `pre-up` lines, the usual way to put anycast
 * addresses on lo. A trailing backslash continues a line; `#` starts a comment only at the
 * beginning of a line.
 */
import type { Host } from '../../host/host.ts'
import { hostGlob, includePath } from '../sshd-config/host-glob.ts'
import {
  appendReading,
  type ConfiguredAddress,
  emptyReading,
  type NetworkConfigReading,
} from './configured-address.ts'
import { baseDevice, type InterfaceAddress, parseInterfaceAddress } from './interface-address.ts'

const interfacesPath = '/etc/network/interfaces'

const stanzaKeywords = new Set([
  'iface',
  'mapping',
  'auto',
  'source',
  'source-directory',
  'rename',
  'no-auto-down',
  'no-scripts',
])
const commandOptions = new Set(['up', 'post-up', 'pre-up'])
/** interfaces(5): source-directory includes only files named like run-parts'. */
const runPartsName = /^[a-zA-Z0-9_-]+$/
/** Includes deeper than this are a loop. */
const maxSourceDepth = 16

interface LogicalLine {
  text: string
  line: number
}

function logicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = []
  let pending: LogicalLine | undefined
  text.split('\n').forEach((raw, index) => {
    const content = raw.replace(/\r$/, '')
    if (!pending && content.trimStart().startsWith('#')) return
    const continues = content.endsWith('\\')
    const part = continues ? content.slice(0, -1) : content
    pending = pending
      ? { text: `${pending.text} ${part.trim()}`, line: pending.line }
      : { text: part, line: index + 1 }
    if (!continues) {
      if (pending.text.trim() !== '') lines.push({ text: pending.text.trim(), line: pending.line })
      pending = undefined
    }
  })
  if (pending && pending.text.trim() !== '') lines.push({ text: pending.text.trim(), line: pending.line })
  return lines
}

/**
 * Addresses added by a shell command line: `ip [-4|-6] addr add ADDR[/LEN] dev DEV [label L]`
 * (any abbreviation of `address`), `ifconfig DEV[:N] ADDR [netmask M]` and
 * `ifconfig DEV inet6 add ADDR/LEN`. Commands joined with `;`, `&&` or `||` are read one by one.
 */
export function addressesFromCommand(
  command: string,
  defaultDevice: string,
): { device: string; label?: string; address: string; netmask?: string }[] {
  const found: { device: string; label?: string; address: string; netmask?: string }[] = []
  for (const part of command.split(/;|&&|\|\|/)) {
    const words = part.trim().split(/\s+/)
    const program = (words[0] ?? '').split('/').pop()
    if (program === 'ip') {
      const rest = words
        .slice(1)
        .filter((word, index, all) => !word.startsWith('-') && all[index - 1] !== '-family')
      const [object, verb, address] = rest
      if (!object || !'address'.startsWith(object) || !verb || !['add', 'a'].includes(verb) || !address)
        continue
      const device = rest[rest.indexOf('dev') + 1]
      const label = rest.includes('label') ? rest[rest.indexOf('label') + 1] : undefined
      found.push({
        device: rest.includes('dev') && device ? device : defaultDevice,
        ...(label ? { label } : {}),
        address,
      })
    } else if (program === 'ifconfig') {
      const [name, second, third, fourth] = words.slice(1)
      if (!name || !second) continue
      if (second === 'inet6' && third === 'add' && fourth) {
        found.push({
          device: baseDevice(name),
          ...(name.includes(':') ? { label: name } : {}),
          address: fourth,
        })
        continue
      }
      const netmaskIndex = words.indexOf('netmask')
      const netmask = netmaskIndex === -1 ? undefined : words[netmaskIndex + 1]
      found.push({
        device: baseDevice(name),
        ...(name.includes(':') ? { label: name } : {}),
        address: second,
        ...(netmask ? { netmask } : {}),
      })
    }
  }
  return found
}

export function parseInterfaces(
  text: string,
  file: string,
): {
  reading: NetworkConfigReading
  includes: { keyword: 'source' | 'source-directory'; pattern: string; line: number }[]
} {
  const reading = emptyReading()
  reading.files.push(file)
  const includes: { keyword: 'source' | 'source-directory'; pattern: string; line: number }[] = []
  let stanza:
    | {
        name: string
        family: string
        method: string
        line: number
        address?: { text: string; line: number }
        netmask?: string
      }
    | undefined

  const closeStanza = () => {
    if (!stanza) return
    if (stanza.address) {
      const parsed = parseInterfaceAddress(stanza.address.text, stanza.netmask)
      if (parsed) reading.addresses.push(configured(stanza.name, parsed, file, stanza.address.line))
      else
        reading.warnings.push({
          file,
          line: stanza.address.line,
          message: `'${stanza.address.text}' is not an IP address`,
        })
    }
    stanza = undefined
  }

  for (const { text: content, line } of logicalLines(text)) {
    const [keyword = '', ...args] = content.split(/\s+/)
    if (stanzaKeywords.has(keyword) || keyword.startsWith('allow-')) {
      closeStanza()
      if (keyword === 'iface') {
        const [name, family, method] = args
        if (!name || !family || !method) {
          reading.warnings.push({ file, line, message: 'expected iface NAME FAMILY METHOD' })
          continue
        }
        stanza = { name, family, method, line }
        if (method === 'dhcp' || (family === 'inet6' && method === 'auto')) {
          reading.dynamic.push({ interface: baseDevice(name), method, tool: 'ifupdown', file, line })
        }
      } else if (keyword === 'source' || keyword === 'source-directory') {
        if (args[0]) includes.push({ keyword, pattern: args.join(' '), line })
        else reading.warnings.push({ file, line, message: `'${keyword}' without a path` })
      }
      continue
    }
    if (!stanza) {
      reading.warnings.push({
        file,
        line,
        message: `option '${keyword}' outside any iface stanza (ifup refuses the file)`,
      })
      continue
    }
    if (keyword === 'address') stanza.address = { text: args[0] ?? '', line }
    else if (keyword === 'netmask' && args[0]) stanza.netmask = args[0]
    else if (commandOptions.has(keyword)) {
      for (const added of addressesFromCommand(args.join(' '), baseDevice(stanza.name))) {
        const parsed = parseInterfaceAddress(added.address, added.netmask)
        if (parsed) reading.addresses.push(configured(added.label ?? added.device, parsed, file, line))
      }
    }
  }
  closeStanza()
  return { reading, includes }
}

function configured(name: string, address: InterfaceAddress, file: string, line: number): ConfiguredAddress {
  const device = baseDevice(name)
  return {
    ...address,
    interface: device,
    ...(device !== name ? { label: name } : {}),
    tool: 'ifupdown',
    file,
    line,
  }
}

/** Reads /etc/network/interfaces and what it sources; undefined when the file does not exist. */
export async function readIfupdownAddresses(host: Host): Promise<NetworkConfigReading | undefined> {
  const mainText = await host.readText(interfacesPath)
  if (mainText === undefined) return undefined
  const total = emptyReading()
  const seen = new Set<string>()
  const read = async (file: string, text: string, depth: number) => {
    seen.add(file)
    const { reading, includes } = parseInterfaces(text, file)
    appendReading(total, reading)
    for (const include of includes) {
      if (depth >= maxSourceDepth) {
        total.warnings.push({
          file,
          line: include.line,
          message: `sources nested more than ${maxSourceDepth} deep`,
        })
        continue
      }
      const base = includePath(include.pattern, file)
      const paths =
        include.keyword === 'source'
          ? await hostGlob(host, base)
          : ((await host.readDir(base)) ?? [])
              .filter((entry) => runPartsName.test(entry.name))
              .map((entry) => `${base}/${entry.name}`)
      for (const path of paths) {
        if (seen.has(path) || (await host.stat(path))?.kind !== 'file') continue
        const included = await host.readText(path)
        if (included !== undefined) await read(path, included, depth + 1)
      }
    }
  }
  await read(interfacesPath, mainText, 0)
  return total
}
