/**
 * @module
 * Where the host's DNS servers listen: NSD (`ip-address:`/`interface:` in nsd.conf), Unbound
 * (`interface:`) and BIND (`listen-on`/`listen-on-v6` in named.conf), each with its includes.
 * `dnsBinding` says how one address is served: listed explicitly, only through a wildcard or
 * all-addresses setting, or not at all — an anycast node must answer on every anycast address,
 * from that address.
 */
import { isIP } from 'node:net'
import { canonicalAddress } from '../anycast/ip-prefix.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { prefixContainsAddress } from './bird-config/evaluate-bird-filter.ts'
import { defineFact } from './define-fact.ts'
import {
  type AddressMatchElement,
  type NamedListenOn,
  readNamedConf,
} from './dns-server-config/parse-named-conf.ts'
import { type NlnetlabsConfig, readNlnetlabsConfig } from './dns-server-config/parse-nlnetlabs-config.ts'

export type DnsSoftware = 'NSD' | 'Unbound' | 'BIND'

export interface DnsListenAddress {
  address: string
  family: 4 | 6
  port: number
  file: string
  line: number
}

export interface DnsSetting {
  value: boolean
  file: string
  line: number
}

export interface DnsServer {
  software: DnsSoftware
  configFile: string
  files: string[]
  /** NSD, Unbound: the `ip-address:`/`interface:` lines (wildcards 0.0.0.0 and :: included). */
  listen: DnsListenAddress[]
  /** BIND: the listen-on statements (none means BIND's default, every address). */
  namedListenOn: NamedListenOn[]
  /** NSD, Unbound: `port:` (default 53). */
  port: number
  /** NSD `do-ip4`/`do-ip6`, Unbound `do-ip4`/`do-ip6`: false switches a family off. */
  familyOff: (4 | 6)[]
  /** NSD/Unbound `ip-transparent` or `ip-freebind`: binding an address that is not (yet) up works. */
  ipTransparent?: DnsSetting
  /** Unbound `interface-automatic`: replies from the queried address even on a wildcard socket. */
  interfaceAutomatic?: DnsSetting
}

export interface DnsServerConfig {
  servers: DnsServer[]
  warnings: ParseWarning[]
}

export type DnsBinding =
  | { kind: 'explicit'; file: string; line: number }
  | { kind: 'wildcard' | 'none'; reason: string; file: string; line?: number }

const dnsConfigPaths: readonly { software: DnsSoftware; path: string }[] = [
  { software: 'NSD', path: '/etc/nsd/nsd.conf' },
  { software: 'Unbound', path: '/etc/unbound/unbound.conf' },
  { software: 'BIND', path: '/etc/bind/named.conf' },
  { software: 'BIND', path: '/etc/named.conf' },
]

const wildcards = new Set(['0.0.0.0', '::'])

function flag(value: string): boolean {
  return ['yes', 'true', 'on'].includes(value.toLowerCase())
}

/** `192.0.2.1@5353` → address and port; an interface name (Unbound 1.13+) is left out. */
function listenAddress(
  value: string,
  defaultPort: number,
): { address: string; family: 4 | 6; port: number } | undefined {
  const [text = '', port] = value.split(/\s+/)[0]?.split('@') ?? []
  const family = isIP(text)
  if (family !== 4 && family !== 6) return undefined
  return { address: canonicalAddress(text), family, port: port === undefined ? defaultPort : Number(port) }
}

function nlnetlabsServer(
  software: 'NSD' | 'Unbound',
  configFile: string,
  config: NlnetlabsConfig,
): DnsServer {
  const server = config.entries.filter((entry) => entry.clause === 'server')
  const last = (key: string) => server.findLast((entry) => entry.key === key)
  const portEntry = last('port')
  const port = portEntry ? Number(portEntry.value) : 53
  const listen: DnsListenAddress[] = []
  for (const entry of server) {
    if (entry.key !== 'ip-address' && entry.key !== 'interface') continue
    const parsed = listenAddress(entry.value, port)
    if (parsed) listen.push({ ...parsed, file: entry.file, line: entry.line })
  }
  const setting = (key: string): DnsSetting | undefined => {
    const entry = last(key)
    return entry && { value: flag(entry.value), file: entry.file, line: entry.line }
  }
  const transparent = [setting('ip-transparent'), setting('ip-freebind')].find((s) => s?.value)
  const automatic = software === 'Unbound' ? setting('interface-automatic') : undefined
  return {
    software,
    configFile,
    files: config.files,
    listen,
    namedListenOn: [],
    port,
    familyOff: ([4, 6] as const).filter((family) => last(`do-ip${family}`)?.value.toLowerCase() === 'no'),
    ...(transparent ? { ipTransparent: transparent } : {}),
    ...(automatic ? { interfaceAutomatic: automatic } : {}),
  }
}

/** Whether one element names `address`; `explicit` when it is the address itself, not a range or keyword. */
function elementHit(
  element: AddressMatchElement,
  address: string,
  family: 4 | 6,
): { explicit: boolean } | undefined {
  switch (element.kind) {
    case 'address': {
      const [text = '', length] = element.text.split('/')
      if (isIP(text) !== family) return undefined
      if (length === undefined) return canonicalAddress(text) === address ? { explicit: true } : undefined
      const prefix = { family, address: canonicalAddress(text), length: Number(length), text: element.text }
      return prefixContainsAddress(prefix, address, family) ? { explicit: false } : undefined
    }
    // BIND's localhost and localnets both cover every address of the host itself.
    case 'any':
    case 'localhost':
    case 'localnets':
      return { explicit: false }
    default:
      return undefined
  }
}

/** Whether an address match list admits `address`: the first element that names it decides, `!` rejects. */
function matchList(
  elements: AddressMatchElement[],
  address: string,
  family: 4 | 6,
): { matched: boolean; explicit: boolean; element: AddressMatchElement } | undefined {
  for (const element of elements) {
    if (element.kind === 'list') {
      const inner = matchList(element.elements, address, family)
      if (!inner) continue
      const matched = element.negated ? !inner.matched : inner.matched
      return { matched, explicit: matched && inner.explicit, element: inner.element }
    }
    const hit = elementHit(element, address, family)
    if (!hit) continue
    return element.negated
      ? { matched: false, explicit: false, element }
      : { matched: true, explicit: hit.explicit, element }
  }
  return undefined
}

function namedBinding(server: DnsServer, address: string, family: 4 | 6): DnsBinding {
  const statements = server.namedListenOn.filter((listen) => listen.family === family && listen.port === 53)
  const anyPort = server.namedListenOn.filter((listen) => listen.family === family)
  if (anyPort.length === 0) {
    return {
      kind: 'wildcard',
      reason: `no ${family === 4 ? 'listen-on' : 'listen-on-v6'} in ${server.configFile}: named listens on every address it finds at its interface scans`,
      file: server.configFile,
    }
  }
  for (const listen of statements) {
    const result = matchList(listen.elements, address, family)
    if (result?.matched && result.explicit) return { kind: 'explicit', file: listen.file, line: listen.line }
    if (result?.matched) {
      return {
        kind: 'wildcard',
        reason: `${family === 4 ? 'listen-on' : 'listen-on-v6'} admits it only through '${describe(result.element)}', so named binds it only if it is up at an interface scan`,
        file: listen.file,
        line: listen.line,
      }
    }
  }
  const first = anyPort[0] as NamedListenOn
  return {
    kind: 'none',
    reason: `no ${family === 4 ? 'listen-on' : 'listen-on-v6'} list on port 53 admits it`,
    file: first.file,
    line: first.line,
  }
}

function describe(element: AddressMatchElement | undefined): string {
  if (!element) return '?'
  if (element.kind === 'address' || element.kind === 'other') return element.text
  if (element.kind === 'list') return '{ … }'
  return element.kind
}

/** How `server` serves DNS on port 53 at `address`. */
export function dnsBinding(server: DnsServer, address: string, family: 4 | 6): DnsBinding {
  if (server.software === 'BIND') return namedBinding(server, address, family)
  const off = server.familyOff.includes(family)
  if (off) return { kind: 'none', reason: `do-ip${family}: no`, file: server.configFile }
  const onPort = server.listen.filter((listen) => listen.family === family && listen.port === 53)
  const exact = onPort.find((listen) => listen.address === address)
  if (exact) return { kind: 'explicit', file: exact.file, line: exact.line }
  const wildcard = onPort.find((listen) => wildcards.has(listen.address))
  const key = server.software === 'NSD' ? 'ip-address' : 'interface'
  if (wildcard) {
    return {
      kind: 'wildcard',
      reason: `${key}: ${wildcard.address} is the wildcard address`,
      file: wildcard.file,
      line: wildcard.line,
    }
  }
  if (server.listen.length > 0) {
    const first = server.listen[0] as DnsListenAddress
    return {
      kind: 'none',
      reason: `it is not among the ${key}: lines on port 53`,
      file: first.file,
      line: first.line,
    }
  }
  if (server.software === 'NSD') {
    return {
      kind: 'wildcard',
      reason: 'no ip-address: line, so NSD listens on the wildcard address',
      file: server.configFile,
    }
  }
  return {
    kind: 'none',
    reason: 'no interface: line, so Unbound listens on localhost only',
    file: server.configFile,
  }
}

/** Whether `server` answers on port 53 on any address of the host (a wildcard, or BIND's default and `any`), such as one from DHCP. */
export function answersOnEveryAddress(server: DnsServer, family: 4 | 6): boolean {
  if (server.software === 'BIND') {
    const lists = server.namedListenOn.filter((listen) => listen.family === family)
    if (lists.length === 0) return true
    return lists.some(
      (listen) =>
        listen.port === 53 &&
        listen.elements.some(
          (e) => !e.negated && (e.kind === 'any' || e.kind === 'localhost' || e.kind === 'localnets'),
        ),
    )
  }
  if (server.familyOff.includes(family)) return false
  if (server.listen.length === 0) return server.software === 'NSD'
  return server.listen.some(
    (listen) => listen.family === family && listen.port === 53 && wildcards.has(listen.address),
  )
}

export const dnsServerConfig = defineFact({
  id: 'dnsServerConfig',
  title: 'DNS server configuration',
  async collect({ host }): Promise<DnsServerConfig> {
    const servers: DnsServer[] = []
    const warnings: ParseWarning[] = []
    for (const { software, path } of dnsConfigPaths) {
      if (software === 'BIND') {
        if (servers.some((server) => server.software === 'BIND')) continue
        const named = await readNamedConf(host, path)
        if (!named) continue
        warnings.push(...named.warnings)
        servers.push({
          software,
          configFile: path,
          files: named.files,
          listen: [],
          namedListenOn: named.listenOn,
          port: 53,
          familyOff: [],
        })
        continue
      }
      const config = await readNlnetlabsConfig(host, path)
      if (!config) continue
      warnings.push(...config.warnings)
      servers.push(nlnetlabsServer(software, path, config))
    }
    return { servers, warnings }
  },
})
