// The DNS server must answer on every anycast address this node announces, from that address: an
// address it does not serve black-holes the node's catchment, and a wildcard socket can reply from
// the wrong source (nsd.conf(5) ip-address). Blog: "the DNS server configured to bind to them".

import type { AnycastPrefix } from '../facts/anycast-setup.ts'
import { type DnsBinding, type DnsServer, dnsBinding } from '../facts/dns-server-config.ts'
import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

const bindingRank: Record<DnsBinding['kind'], number> = { none: 0, wildcard: 1, explicit: 2 }

function bestBinding(
  servers: DnsServer[],
  prefix: AnycastPrefix,
): { server: DnsServer; binding: DnsBinding }[] {
  const bindings = servers.map((server) => ({
    server,
    binding: dnsBinding(server, prefix.prefix.address, prefix.prefix.family),
  }))
  const best = Math.max(...bindings.map(({ binding }) => bindingRank[binding.kind]))
  return bindings.filter(({ binding }) => bindingRank[binding.kind] === best)
}

function listenFix(server: DnsServer, addresses: string[]): string {
  switch (server.software) {
    case 'NSD':
      return `Add ${addresses.map((a) => `\`ip-address: ${a}\``).join(', ')} to the server: clause of ${server.configFile}, then restart nsd`
    case 'Unbound':
      return `Add ${addresses.map((a) => `\`interface: ${a}\``).join(', ')} to the server: clause of ${server.configFile}, then restart unbound`
    case 'BIND': {
      const listen = server.namedListenOn.find((l) => l.port === 53 && l.family === 4)
      const where = listen
        ? `the listen-on list at ${anycastText.at(listen)}`
        : `a \`listen-on port 53 { … };\` in the options of ${server.configFile}`
      return `List ${addresses.join(', ')} in ${where}, then run \`rndc reconfig\``
    }
  }
}

export const anycastDnsNotBound = defineCheck({
  id: 'network.anycast-dns-not-bound',
  title: 'DNS server not bound to the anycast addresses',
  group: 'network',
  description:
    'Every anycast address this node announces must be served by its DNS server. An address the server does ' +
    'not listen on draws queries that get no answer; a server on the wildcard address may answer from another ' +
    'of the host’s addresses, and resolvers drop such replies. NSD and Unbound bind at start, so an address ' +
    'the anycast daemon adds later needs `ip-transparent: yes`.',
  needs: ['anycastSetup', 'dnsServerConfig'],
  appliesTo: ({ anycastSetup, dnsServerConfig }) =>
    anycastSetup.absentReason ??
    (dnsServerConfig.servers.length === 0
      ? 'no DNS server configuration (NSD, Unbound or BIND) on this host'
      : undefined),
  run({ anycastSetup, dnsServerConfig }) {
    const servers = dnsServerConfig.servers
    // The servers meant to answer for anycast: those that already serve one of its addresses (so
    // a local resolver next to the authoritative server is left alone), else all of them.
    const serving = servers.filter((server) =>
      anycastSetup.prefixes.some(
        (p) => dnsBinding(server, p.prefix.address, p.prefix.family).kind !== 'none',
      ),
    )
    const anycastServers = serving.length > 0 ? serving : servers
    const risks: Risk[] = []
    const missing = new Map<DnsServer, string[]>()
    const lateBinding = new Map<DnsServer, string[]>()
    const messages: string[] = []
    for (const prefix of anycastSetup.prefixes) {
      const address = prefix.prefix.address
      const found = bestBinding(servers, prefix)
      const [top] = found
      if (!top) continue
      const names = found.map(({ server }) => server.software).join(', ')
      if (top.binding.kind === 'explicit') {
        messages.push(`${address}: ${names} listens on it (${anycastText.at(top.binding)}).`)
        const addedLater = prefix.addressMode === 'static' || prefix.addressMode === 'dynamic'
        for (const { server } of found) {
          if (!addedLater || server.software === 'BIND' || server.ipTransparent?.value) continue
          lateBinding.set(server, [...(lateBinding.get(server) ?? []), address])
        }
        continue
      }
      const reasons = found
        .map(({ server, binding }) =>
          binding.kind === 'explicit'
            ? ''
            : `${server.software}: ${binding.reason} (${anycastText.at(binding)})`,
        )
        .join('; ')
      if (top.binding.kind === 'wildcard') {
        // Medium: queries are answered, but from a socket that does not name the address.
        risks.push(
          risk(
            'medium',
            `${address} is served only through a wildcard: ${reasons}. Replies can leave from another of the host's addresses, which resolvers drop.`,
            anycastText.where(top.binding),
          ),
        )
      } else {
        // High: the node announces an address nobody answers on.
        risks.push(
          risk(
            'high',
            `No DNS server answers on the anycast address ${address}, which BIRD announces: ${reasons}. Clients routed to this node get no answer.`,
            anycastText.where(top.binding),
          ),
        )
      }
      for (const server of anycastServers) missing.set(server, [...(missing.get(server) ?? []), address])
    }
    for (const [server, addresses] of lateBinding) {
      // Medium: a restart of the DNS server before the daemon adds the addresses leaves it down.
      risks.push(
        risk(
          'medium',
          `${server.software} binds ${addresses.join(', ')} at start, but preflight anycast adds ${addresses.length === 1 ? 'that address' : 'those addresses'} to lo only when it runs: ` +
            `started first, ${server.software} fails with "Cannot assign requested address" (anycast lab pitfall 9).`,
          { file: server.configFile },
        ),
      )
    }
    const fixes = [
      ...[...missing].map(([server, addresses]) => listenFix(server, addresses)),
      ...[...lateBinding.keys()].map(
        (server) =>
          `Add \`ip-transparent: yes\` to the server: clause of ${server.configFile} (or set net.ipv4.ip_nonlocal_bind = 1 in /etc/sysctl.d)`,
      ),
    ]
    return passOrFail(
      risks,
      `The DNS server answers on every anycast address (${anycastText.prefixes(anycastSetup.prefixes)}).`,
      `${fixes.join('. ')}.`,
      messages,
    )
  },
})
