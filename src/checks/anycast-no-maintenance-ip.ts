// Without a unicast address of its own that the DNS server answers on, an anycast node cannot be
// queried on its own: not while drained, not to find which site gives a wrong answer. The blog
// keeps each server's original IP as a "maintenance" IP that only goes to that host.

import type { MaintenanceAddress } from '../facts/anycast-setup.ts'
import { answersOnEveryAddress, dnsBinding } from '../facts/dns-server-config.ts'
import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { fail, pass, risk } from './result.ts'

function describe(address: MaintenanceAddress): string {
  return `${address.address} (${address.how}${address.file ? `, ${anycastText.at(address)}` : ''})`
}

export const anycastNoMaintenanceIp = defineCheck({
  id: 'network.anycast-no-maintenance-ip',
  title: 'No maintenance IP on the anycast node',
  group: 'network',
  description:
    'Every anycast node answers on the same addresses, so a query to them reaches whichever site routing ' +
    'picks. A per-host maintenance IP (the server’s original address, or a /32 announced without the ' +
    'anycast gate) that the DNS server also answers on lets an operator test one node directly, also ' +
    'while it is drained.',
  needs: ['anycastSetup', 'dnsServerConfig'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup, dnsServerConfig }) {
    const candidates = anycastSetup.maintenance
    const servers = dnsServerConfig.servers
    const dynamic = anycastSetup.dynamicInterfaces
    // Medium throughout: nothing breaks by itself, but drains and per-site debugging go blind.
    if (candidates.length === 0 && dynamic.length === 0) {
      return fail(
        [
          risk(
            'medium',
            `This node has no address besides the anycast ones (${anycastText.prefixes(anycastSetup.prefixes)}) and loopback: nothing reaches this node alone, so it cannot be tested while drained or compared with the other sites.`,
          ),
        ],
        'Keep a per-host maintenance IP: the server’s own address, or a /32 on lo exported by a separate BIRD protocol ' +
          'without the anycast gate (`protocol direct maint_lo { interface "lo"; ipv4 { import where net = ADDRESS/32; }; }` ' +
          'and `proto = "maint_lo"` in the BGP export filter), and let the DNS server answer on it.',
      )
    }
    if (servers.length === 0) {
      return pass(
        `Maintenance ${candidates.length === 1 ? 'address' : 'addresses'}: ${candidates.map(describe).join('; ') || `from DHCP on ${dynamic.join(', ')}`}.`,
      )
    }
    const served = candidates.flatMap((candidate) =>
      servers
        .map((server) => ({ server, binding: dnsBinding(server, candidate.address, candidate.family) }))
        .filter(({ binding }) => binding.kind !== 'none')
        .map(({ server, binding }) => ({ candidate, server, binding })),
    )
    const [answered] = served
    if (answered) {
      return pass(
        `${describe(answered.candidate)} reaches this node alone, and ${answered.server.software} answers on it` +
          `${answered.binding.kind === 'explicit' ? ` (${anycastText.at(answered.binding)})` : ' (wildcard)'}.`,
      )
    }
    const wildcardServer =
      dynamic.length > 0 ? servers.find((server) => answersOnEveryAddress(server, 4)) : undefined
    if (wildcardServer) {
      return pass(
        `The DHCP address of ${dynamic.join(', ')} reaches this node alone; ${wildcardServer.software} listens on every address.`,
      )
    }
    const names = servers.map((server) => server.software).join(', ')
    const [firstCandidate] = candidates
    return fail(
      [
        risk(
          'medium',
          `${candidates.length > 0 ? candidates.map(describe).join('; ') : `The DHCP address of ${dynamic.join(', ')}`} reaches this node alone, ` +
            `but ${names} does not answer on it: this node can only be queried through the anycast addresses.`,
          anycastText.where(firstCandidate ?? {}),
        ),
      ],
      `Let the DNS server answer on the maintenance IP${firstCandidate ? ` ${firstCandidate.address}` : ''} as well as on the anycast addresses ` +
        `(${servers.map((server) => `${server.software}: ${server.configFile}`).join(', ')}).`,
    )
  },
})
