// Each anycast address must be brought up on the loopback at boot (or by preflight anycast). A
// static route announces it even when the address is missing, so the node draws traffic it drops;
// a direct protocol then announces nothing. Blog: "brought up on loopback interfaces".

import type { AnycastPrefix } from '../facts/anycast-setup.ts'
import type { NetworkConfigTool } from '../facts/host-addresses/configured-address.ts'
import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

function addressFix(tool: NetworkConfigTool | undefined, prefix: AnycastPrefix, index: number): string {
  const text = prefix.prefix.text
  switch (tool) {
    case 'ifupdown':
      return `Add to /etc/network/interfaces: \`iface lo inet static\` / \`    address ${text}\``
    case 'systemd-networkd':
      return `Add \`Address=${text}\` to the [Network] section of a .network file matching lo ([Match] Name=lo) in /etc/systemd/network`
    case 'ifcfg':
      return `Create /etc/sysconfig/network-scripts/ifcfg-lo:${index} with DEVICE=lo:${index}, IPADDR=${prefix.prefix.address}, PREFIX=${prefix.prefix.length}, ONBOOT=yes`
    case 'NetworkManager':
      return `Run \`nmcli connection modify lo +ipv${prefix.prefix.family}.addresses ${text}\``
    default:
      return `Bring up ${text} on lo at boot`
  }
}

export const anycastLoopbackMissing = defineCheck({
  id: 'network.anycast-loopback-missing',
  title: 'Anycast addresses missing from the loopback',
  group: 'network',
  description:
    'An anycast node must hold every address it announces on its loopback, from boot on. When BIRD announces ' +
    'an address with a static route and the address is not there (forgotten in one ifcfg file, lost at a ' +
    'reboot), the node attracts that address’s traffic and drops it. With a direct protocol on lo the address ' +
    'is simply not announced, and the node silently serves less.',
  needs: ['anycastSetup', 'hostAddresses'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup, hostAddresses }) {
    const tool = hostAddresses.tools[0]?.tool
    const risks: Risk[] = []
    const fixes: string[] = []
    const messages: string[] = []
    let aliasIndex = hostAddresses.configured.filter((c) => c.interface === 'lo' && c.label).length
    for (const prefix of anycastSetup.prefixes) {
      const name = prefix.prefix.text
      if (prefix.prefix.length !== (prefix.prefix.family === 4 ? 32 : 128)) continue
      if (prefix.addressMode === 'static' || prefix.addressMode === 'dynamic') {
        messages.push(
          `${name}: added to ${prefix.interface} by preflight anycast (address = ${prefix.addressMode}).`,
        )
        continue
      }
      const [configured] = prefix.configured
      if (configured) {
        messages.push(
          `${name}: brought up on ${configured.label ?? configured.interface} by ${configured.tool} (${anycastText.at(configured)}).`,
        )
        continue
      }
      const staticRoute = prefix.routes.find((route) => route.type === 'static')
      const announcedBy = staticRoute
        ? `BIRD announces it with a static route (${anycastText.at(staticRoute.at)}) whether or not the address is there`
        : `BIRD's direct protocol ${prefix.routes[0]?.protocol ?? ''} announces it only while it is on lo`
      if (prefix.live) {
        // Medium: works today, breaks at the next reboot.
        risks.push(
          risk(
            'medium',
            `${name} is on lo now, but no network configuration brings it up: it is lost at the next reboot (${announcedBy}).`,
            anycastText.where(staticRoute?.at ?? {}),
          ),
        )
      } else {
        // High with a static route: the node draws the address's traffic and drops it. Medium with a
        // direct protocol: nothing is announced, the node just carries less.
        risks.push(
          risk(
            staticRoute ? 'high' : 'medium',
            `${name} is not configured on ${prefix.interface}${hostAddresses.tools.length === 0 ? ' (no network configuration files found)' : ''}: ${announcedBy}` +
              (staticRoute
                ? ', so this node draws its traffic and drops it.'
                : ', so this node does not serve it.'),
            anycastText.where(staticRoute?.at ?? {}),
          ),
        )
      }
      fixes.push(addressFix(tool, prefix, ++aliasIndex))
    }
    const daemon = anycastSetup.daemonConfig
      ? ''
      : ' Or let preflight anycast add them (`address = static` in a [service] of /etc/preflight/anycast.conf).'
    return passOrFail(
      risks,
      'Every anycast address is brought up on the loopback.',
      `${fixes.join('. ')}.${daemon}`,
      messages,
    )
  },
})
