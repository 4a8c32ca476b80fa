/**
 * @module
 * The anycast lab of tools/anycast-lab/lab.sh as configuration text: addresses (documentation
 * ranges only), BIRD 2 for the router and the three sites, NSD and its zone per site, and the
 * per-site config of the checker in front of BIRD — preflight's anycast daemon (docs/anycast.md)
 * or the lab's healthcheck.sh. Site `us` is never a BIRD protocol name (lab pitfall 1).
 */
import path from 'node:path'
import { nsdScratchServerOptions } from '../../helpers/nsd-server.ts'

export const siteNames = ['eu', 'apac', 'us'] as const
export type SiteName = (typeof siteNames)[number]

export interface SitePlan {
  name: SiteName
  asn: number
  /** Times the site prepends its AS: eu is the nearest, us the farthest. */
  prepend: number
  maintenance: string
  /** Router side and site side of the site's link (a /30). */
  routerAddress: string
  siteAddress: string
}

export const routerAsn = 64500
export const anycastAddresses = ['203.0.113.53', '203.0.113.54'] as const
export const clientAddress = '198.51.100.2'
export const routerClientAddress = '198.51.100.1'
export const labZone = 'lab.test'

export const sitePlans: readonly SitePlan[] = siteNames.map((name, index) => ({
  name,
  asn: 64501 + index,
  prepend: index,
  maintenance: `198.51.100.${65 + index}`,
  routerAddress: `192.0.2.${4 * index + 1}`,
  siteAddress: `192.0.2.${4 * index + 2}`,
}))

export type CheckerKind = 'preflight' | 'shell'

export interface LabTiming {
  /** BGP hold and keepalive time on every session. @default 9 and 3 (lab.sh) */
  holdSeconds: number
  keepaliveSeconds: number
  /** BFD (100 ms × 3) on every session. */
  bfd: boolean
}

/** The export gate each checker drives: its function name and the include that defines it. */
export function gateFunction(checker: CheckerKind): string {
  return checker === 'preflight' ? 'preflight_anycast_export' : 'anycast_export'
}

export function withdrawAllInclude(checker: CheckerKind): string {
  return `function ${gateFunction(checker)}()\n{\n  return false;\n}\n`
}

const anycastSet = anycastAddresses.map((address) => `${address}/32`).join(', ')

function bfdProtocol(timing: LabTiming, interfaces: string): string {
  return timing.bfd
    ? `protocol bfd { interface "${interfaces}" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }\n`
    : ''
}

function sessionTimers(timing: LabTiming): string {
  return [
    `hold time ${timing.holdSeconds}; keepalive time ${timing.keepaliveSeconds};`,
    'connect delay time 1; connect retry time 2; error wait time 1, 5;',
    'graceful restart off;',
    ...(timing.bfd ? ['bfd on;'] : []),
  ].join('\n  ')
}

export function siteBirdConfig(
  site: SitePlan,
  directory: string,
  checker: CheckerKind,
  timing: LabTiming,
): string {
  const prepend = Array.from({ length: site.prepend }, () => ` bgp_path.prepend(${site.asn});`).join('')
  return `log "${path.join(directory, 'bird.log')}" all;
router id ${site.siteAddress};
include "${path.join(directory, 'anycast-export.conf')}";
protocol device { scan time 10; }
# The return path to the client is learned over BGP (lab pitfall 4).
protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; }
protocol direct anycast_dns {
  interface "lo";
  ipv4 { import where net ~ [ ${anycastSet} ]; };
}
protocol direct maint_lo {
  interface "lo";
  ipv4 { import where net = ${site.maintenance}/32; };
}
${bfdProtocol(timing, 'up0')}protocol bgp uplink {
  local ${site.siteAddress} as ${site.asn};
  neighbor ${site.routerAddress} as ${routerAsn};
  ${sessionTimers(timing)}
  ipv4 {
    import where net = 198.51.100.0/30;
    export filter {
      if proto = "maint_lo" then accept;
      if proto = "anycast_dns" && ${gateFunction(checker)}() then {${prepend} accept; }
      reject;
    };
  };
}
`
}

export function routerBirdConfig(directory: string, timing: LabTiming): string {
  const sessions = sitePlans
    .map(
      (site) => `protocol bgp to_${site.name} {
  local ${site.routerAddress} as ${routerAsn};
  neighbor ${site.siteAddress} as ${site.asn};
  ${sessionTimers(timing)}
  ipv4 { import all; export where net = 198.51.100.0/30; };
}
`,
    )
    .join('')
  return `log "${path.join(directory, 'bird.log')}" all;
router id ${routerClientAddress};
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; }
protocol direct client_net { ipv4; interface "r-client"; }
${bfdProtocol(timing, 'r-*')}${sessions}`
}

export function nsdConfig(site: SitePlan, directory: string): string {
  return [
    'server:',
    '    server-count: 1',
    ...[...anycastAddresses, site.maintenance].map((address) => `    ip-address: ${address}`),
    '    port: 53',
    '    do-ip6: no',
    `    identity: "${site.name}"`,
    '    hide-identity: no',
    ...nsdScratchServerOptions(directory),
    'zone:',
    `    name: "${labZone}"`,
    `    zonefile: "${labZone}.zone"`,
    '',
  ].join('\n')
}

/** Each site answers `whoami.lab.test TXT` with its own name: the client sees which site answered. */
export function zoneFile(site: SitePlan): string {
  return [
    `$ORIGIN ${labZone}.`,
    '$TTL 60',
    `@      IN SOA ns.${labZone}. hostmaster.${labZone}. 1 3600 600 86400 60`,
    `@      IN NS  ns.${labZone}.`,
    `ns     IN A   ${anycastAddresses[0]}`,
    `whoami IN TXT "${site.name}"`,
    '',
  ].join('\n')
}

/** Check settings shared by both checkers: every 0.5 s, 2 failures down, 3 successes up, 2 s hold-down. */
export const checkerTiming = {
  intervalMs: 500,
  fastIntervalMs: 200,
  timeoutMs: 300,
  rise: 3,
  fall: 2,
  holdDownMs: 2000,
}

/**
 * preflight anycast for one site. Dampening is set so that a single flap suppresses the service
 * for half-life · log2(penalty / reuse) = 2 s · log2(1000 / 500) = 2 s: the shell checker's
 * hold-down of 2 s.
 */
export function daemonConfig(site: SitePlan, directory: string): string {
  return `# preflight anycast, lab site ${site.name}
[daemon]
backend = bird
control-socket = ${path.join(directory, 'anycast.sock')}
drain-file = ${path.join(directory, 'anycast.drain')}
metrics-listen = off
log-level = info
splay-seed = ${site.asn}

[bird]
socket = ${path.join(directory, 'bird.ctl')}
include-file = ${path.join(directory, 'anycast-export.conf')}
function = ${gateFunction('preflight')}
confirm-protocols = uplink

[dampening]
penalty = 1000
suppress = 900
reuse = 500
half-life = ${checkerTiming.holdDownMs}ms
max-suppress = 30s

[service dns]
prefix = ${anycastAddresses.map((address) => `${address}/32`).join(' ')}
interface = lo
address = static
bird-protocol = anycast_dns
interval = ${checkerTiming.intervalMs}ms
fast-interval = ${checkerTiming.fastIntervalMs}ms
timeout = ${checkerTiming.timeoutMs}ms
rise = ${checkerTiming.rise}
fall = ${checkerTiming.fall}

# Asked of the anycast address from the anycast address: only this node can answer (lab pitfall 10).
[check dns whoami]
type = dns
qname = whoami.${labZone}
qtype = TXT
expect-answer = yes
`
}
