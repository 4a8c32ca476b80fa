// A shorter prefix exported next to the anycast /32s keeps attracting their traffic after this node
// withdraws a /32 (failure, drain): routers fall back to the covering route and send clients here.
// Blog: "advertised ... as /32 blocks - with no summary route".

import type { RouteExport } from '../facts/anycast-setup/bird-exports.ts'
import { prefixContainsAddress } from '../facts/bird-config/evaluate-bird-filter.ts'
import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

export const anycastSummaryRoute = defineCheck({
  id: 'network.anycast-summary-route',
  title: 'Summary route covering the anycast addresses',
  group: 'network',
  description:
    'Anycast fails over by withdrawing the /32 of a broken node, so the routers pick the next nearest site. ' +
    'If the node also announces a shorter prefix that covers the anycast addresses (a /24 blackhole or ' +
    'summary, or a lo address with a /24 mask), the withdrawn /32 still matches it and the traffic keeps ' +
    'coming to the broken node.',
  needs: ['anycastSetup'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup }) {
    const risks: Risk[] = []
    const fixes: string[] = []
    const byRoute = new Map<string, RouteExport[]>()
    for (const routeExport of anycastSetup.exports) {
      const key = `${routeExport.route.protocol} ${routeExport.route.net.text}`
      byRoute.set(key, [...(byRoute.get(key) ?? []), routeExport])
    }
    for (const exports of byRoute.values()) {
      const { route } = exports[0] as RouteExport
      const covered = anycastSetup.prefixes.filter(
        ({ prefix }) =>
          route.net.length < prefix.length && prefixContainsAddress(route.net, prefix.address, prefix.family),
      )
      if (covered.length === 0) continue
      const sessions = exports
        .map((e) => anycastSetup.sessions.find((s) => s.protocol === e.session))
        .map((session, index) =>
          session ? anycastText.session(session) : (exports[index] as RouteExport).session,
        )
      const certain = exports.every((e) => e.verdict === 'accept')
      const origin =
        route.type === 'static'
          ? `the static route \`route ${route.net.text} ${route.target}\` of protocol ${route.protocol} at ${anycastText.at(route.at)}`
          : `from an address on lo with a /${route.net.length} mask, through direct protocol ${route.protocol} (${anycastText.at(route.at)})`
      // High when BIRD certainly exports it: failover is broken for every covered address.
      // Medium when the filter's decision could not be settled from the configuration alone.
      risks.push(
        risk(
          certain ? 'high' : 'medium',
          `${sessions.join(' and ')} ${certain ? (sessions.length === 1 ? 'exports' : 'export') : 'may export (the filter depends on the running state)'} ${route.net.text}, ${origin}. ` +
            `It covers the anycast ${covered.length === 1 ? 'prefix' : 'prefixes'} ${anycastText.prefixes(covered)}: ` +
            `when this node withdraws ${covered.length === 1 ? 'it' : 'them'}, routers still send the traffic here along ${route.net.text}.`,
          anycastText.where(route.at),
        ),
      )
      const policies = [...new Set(exports.map((e) => anycastText.at(e.policyAt)))].join(', ')
      fixes.push(
        route.type === 'static'
          ? `delete \`route ${route.net.text} ${route.target};\` at ${anycastText.at(route.at)}, or reject ${route.net.text} in the export filter (${policies})`
          : `give the lo address a host mask (/${route.net.family === 4 ? 32 : 128}), or reject ${route.net.text} in the import filter of ${route.protocol}`,
      )
    }
    return passOrFail(
      risks,
      `No exported route covers the anycast prefixes ${anycastText.prefixes(anycastSetup.prefixes)}: each is announced as its own host route.`,
      `Announce the anycast addresses only as host routes: ${fixes.join('; ')}.`,
    )
  },
})
