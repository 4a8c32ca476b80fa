/**
 * @module
 * This node's anycast setup, put together from BIRD, the interface addresses and preflight's own
 * anycast daemon config: which prefixes are anycast, which BGP sessions export them, what else
 * those sessions export, where the addresses are brought up, and which unicast addresses reach
 * this node alone (maintenance IPs).
 *
 * Which prefixes are anycast: the daemon config's services when /etc/preflight/anycast.conf
 * exists (backend bird). Otherwise they are inferred from BIRD: /32 and /128 routes of the
 * loopback (direct protocols on lo, static routes `via "lo"` or to an address on lo) that a BGP
 * session exports. When some of those exports are gated — decided by a function or constant
 * declared in an included file, as health checkers write them (the lab's anycast-export.conf,
 * anycast-healthchecker's prefix set) — only the gated ones are anycast and the others are the
 * per-host maintenance routes; when none is gated, all are anycast.
 */
import type { AnycastConfig } from '../anycast/config/anycast-config.ts'
import { type IpPrefix, parsePrefix } from '../anycast/ip-prefix.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { anycastDaemonConfig } from './anycast-daemon-config.ts'
import { birdExports, type CandidateRoute, type RouteExport } from './anycast-setup/bird-exports.ts'
import type { BirdLocation } from './bird-config/read-bird-declarations.ts'
import { type BirdBgpSession, type BirdConfig, birdConfig, birdConfigPaths } from './bird-config.ts'
import { defineFact } from './define-fact.ts'
import { isLoopbackAddress, networkOf } from './host-addresses/interface-address.ts'
import { type ConfiguredAddress, type HostAddresses, hostAddresses } from './host-addresses.ts'

export interface AnycastPrefix {
  prefix: IpPrefix
  /** The daemon service it belongs to. */
  service?: string
  /** How the daemon handles its address (`static`, `dynamic`, `unmanaged`); undefined without the daemon. */
  addressMode?: 'static' | 'dynamic' | 'unmanaged'
  /** The interface its address belongs on. */
  interface: string
  /** The BIRD routes that carry it. */
  routes: CandidateRoute[]
  /** The sessions that export it. */
  exports: RouteExport[]
  /** Where the network configuration brings its address up at boot. */
  configured: ConfiguredAddress[]
  /** Live host only: whether the kernel has the address now. */
  live?: boolean
}

export interface MaintenanceAddress {
  address: string
  family: 4 | 6
  /** How it reaches this node: announced from lo, or an interface address. */
  how: string
  file?: string
  line?: number
}

export interface AnycastSetup {
  present: boolean
  /** Why the anycast checks do not apply, when `present` is false. */
  absentReason?: string
  /** How the anycast prefixes were identified. */
  identifiedBy: 'preflight-config' | 'bird-exports'
  birdConfig?: string
  daemonConfig?: string
  prefixes: AnycastPrefix[]
  /** BGP sessions that export at least one anycast prefix. */
  sessions: BirdBgpSession[]
  /** Everything those sessions export from the static and direct protocols, anycast prefixes included. */
  exports: RouteExport[]
  /** `protocol bfd` blocks: BGP's `bfd on` needs one to run. */
  bfdProtocols: { protocol: string; at: BirdLocation }[]
  maintenance: MaintenanceAddress[]
  /** Interfaces that take an address from DHCP or router advertisements (a unicast address, unknown here). */
  dynamicInterfaces: string[]
  warnings: ParseWarning[]
}

function isHostPrefix(prefix: IpPrefix): boolean {
  return prefix.length === (prefix.family === 4 ? 32 : 128)
}

function hostPrefix(address: string): IpPrefix {
  return parsePrefix(address)
}

/** Addresses on lo as a direct protocol sees them, plus the daemon's managed ones (it adds them). */
function loopbackNetworks(addresses: HostAddresses, daemon: AnycastConfig | undefined): IpPrefix[] {
  const networks = new Map<string, IpPrefix>()
  const add = (prefix: IpPrefix) => networks.set(prefix.text, prefix)
  for (const configured of addresses.configured) {
    if (configured.interface === 'lo' && !isLoopbackAddress(configured.address)) add(networkOf(configured))
  }
  const elsewhere = new Set(addresses.configured.filter((c) => c.interface !== 'lo').map((c) => c.address))
  for (const kernel of addresses.kernel ?? []) {
    if (isLoopbackAddress(kernel.address) || elsewhere.has(kernel.address)) continue
    // fib_trie names no device: an IPv4 address configured on no other interface is taken as lo's.
    if (kernel.interface === undefined || kernel.interface === 'lo') add(hostPrefix(kernel.address))
  }
  for (const service of daemon?.services ?? []) {
    if (service.interface === 'lo' && service.address !== 'unmanaged') service.prefixes.forEach(add)
  }
  return [...networks.values()]
}

function onLoopback(prefix: IpPrefix, addresses: HostAddresses): boolean {
  return (
    addresses.configured.some((c) => c.interface === 'lo' && c.address === prefix.address) ||
    (addresses.kernel ?? []).some((k) => k.address === prefix.address && (k.interface ?? 'lo') === 'lo')
  )
}

function absent(reason: string, warnings: ParseWarning[] = []): AnycastSetup {
  return {
    present: false,
    absentReason: reason,
    identifiedBy: 'bird-exports',
    prefixes: [],
    sessions: [],
    exports: [],
    bfdProtocols: [],
    maintenance: [],
    dynamicInterfaces: [],
    warnings,
  }
}

/** Loopback host routes exported by BGP, split into anycast and maintenance as the module comment says. */
function inferAnycast(
  exports: RouteExport[],
  addresses: HostAddresses,
): { anycast: RouteExport[]; maintenance: RouteExport[] } {
  const loopbackHostRoutes = exports.filter(({ route }) => {
    if (!isHostPrefix(route.net)) return false
    return route.viaInterface === 'lo' || onLoopback(route.net, addresses)
  })
  const gated = loopbackHostRoutes.filter((routeExport) => routeExport.gated)
  const gatedNets = new Set(gated.map(({ route }) => route.net.text))
  if (gated.length === 0) return { anycast: loopbackHostRoutes, maintenance: [] }
  return {
    anycast: gated,
    maintenance: loopbackHostRoutes.filter(({ route }) => !gatedNets.has(route.net.text)),
  }
}

export function describeAnycastSetup(
  bird: BirdConfig,
  addresses: HostAddresses,
  daemonPath: string | undefined,
  daemon: AnycastConfig | undefined,
): AnycastSetup {
  if (daemon?.daemon.backend === 'exabgp') {
    return absent(
      `${daemonPath} announces through ExaBGP (backend = exabgp): preflight reads BIRD configurations only`,
    )
  }
  if (!bird.path) return absent(`no BIRD configuration (${birdConfigPaths.join(', ')})`)
  if (bird.bgpSessions.length === 0) return absent(`${bird.path} has no BGP protocol`)

  const gates = new Map<string, IpPrefix[]>()
  if (daemon)
    gates.set(
      daemon.bird.functionName,
      daemon.services.flatMap((service) => service.prefixes),
    )
  const exports = birdExports(bird, loopbackNetworks(addresses, daemon), { gates })

  let anycastNets: {
    prefix: IpPrefix
    service?: string
    addressMode?: AnycastPrefix['addressMode']
    interface: string
  }[]
  let maintenanceExports: RouteExport[]
  if (daemon) {
    anycastNets = daemon.services.flatMap((service) =>
      service.prefixes.map((prefix) => ({
        prefix,
        service: service.name,
        addressMode: service.address,
        interface: service.interface,
      })),
    )
    const daemonNets = new Set(anycastNets.map(({ prefix }) => prefix.text))
    maintenanceExports = exports.filter(
      ({ route }) =>
        isHostPrefix(route.net) &&
        !daemonNets.has(route.net.text) &&
        (route.type === 'direct' || onLoopback(route.net, addresses)),
    )
  } else {
    const inferred = inferAnycast(exports, addresses)
    const seen = new Map<string, IpPrefix>()
    for (const { route } of inferred.anycast) seen.set(route.net.text, route.net)
    anycastNets = [...seen.values()].map((prefix) => ({ prefix, interface: 'lo' }))
    maintenanceExports = inferred.maintenance
  }
  if (anycastNets.length === 0) {
    return absent(`no BGP protocol in ${bird.path} exports a /32 or /128 of the loopback`)
  }

  const prefixes: AnycastPrefix[] = anycastNets.map((net) => {
    const kernel = addresses.kernel
    return {
      ...net,
      routes: exports.filter(({ route }) => route.net.text === net.prefix.text).map(({ route }) => route),
      exports: exports.filter(({ route }) => route.net.text === net.prefix.text),
      configured: addresses.configured.filter(
        (c) => c.address === net.prefix.address && c.interface === net.interface,
      ),
      ...(kernel ? { live: kernel.some((k) => k.address === net.prefix.address) } : {}),
    }
  })
  const sessionNames = new Set(prefixes.flatMap((prefix) => prefix.exports.map((e) => e.session)))
  const anycastAddresses = new Set(prefixes.map(({ prefix }) => prefix.address))

  const maintenance: MaintenanceAddress[] = []
  const seenMaintenance = new Set<string>()
  const addMaintenance = (entry: MaintenanceAddress) => {
    if (
      seenMaintenance.has(entry.address) ||
      anycastAddresses.has(entry.address) ||
      isLoopbackAddress(entry.address)
    )
      return
    seenMaintenance.add(entry.address)
    maintenance.push(entry)
  }
  for (const { route, session } of maintenanceExports) {
    addMaintenance({
      address: route.net.address,
      family: route.net.family,
      how: `announced from lo by BIRD protocol ${route.protocol} over ${session}`,
      ...route.at,
    })
  }
  for (const configured of addresses.configured) {
    if (configured.interface === 'lo' || configured.address.startsWith('fe80:')) continue
    addMaintenance({
      address: configured.address,
      family: configured.family,
      how: `on ${configured.label ?? configured.interface}, configured by ${configured.tool}`,
      file: configured.file,
      line: configured.line,
    })
  }
  // fib_trie names no device, so only IPv6 kernel addresses can be told to be on another interface.
  for (const kernel of addresses.kernel ?? []) {
    if (kernel.interface === undefined || kernel.interface === 'lo' || kernel.address.startsWith('fe80:'))
      continue
    addMaintenance({ address: kernel.address, family: kernel.family, how: `up now on ${kernel.interface}` })
  }

  return {
    present: true,
    identifiedBy: daemon ? 'preflight-config' : 'bird-exports',
    birdConfig: bird.path,
    ...(daemonPath && daemon ? { daemonConfig: daemonPath } : {}),
    prefixes,
    sessions: bird.bgpSessions.filter((session) => sessionNames.has(session.protocol)),
    exports: exports.filter((e) => sessionNames.has(e.session)),
    bfdProtocols: bird.bfdProtocols.map(({ protocol, at }) => ({ protocol, at })),
    maintenance,
    dynamicInterfaces: [...new Set(addresses.dynamic.map((d) => d.interface))],
    warnings: [],
  }
}

export const anycastSetup = defineFact({
  id: 'anycastSetup',
  title: 'Anycast setup',
  needs: { birdConfig, hostAddresses, anycastDaemonConfig },
  async collect(_context, needs): Promise<AnycastSetup> {
    const daemon = needs.anycastDaemonConfig
    const setup = describeAnycastSetup(needs.birdConfig, needs.hostAddresses, daemon.path, daemon.config)
    // The anycast checks read only this fact: the warnings of the files behind it travel with it.
    setup.warnings = [...needs.birdConfig.warnings, ...daemon.warnings, ...needs.hostAddresses.warnings]
    return setup
  },
})
