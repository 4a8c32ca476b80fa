// A BGP session that announces anycast with `export all` hands its peers every route BIRD holds
// (kernel, device, static), not just the anycast /32s: the blog's "Be careful (use filters) when
// dealing with BGP". BIRD 2 user's guide, channel option `export`.

import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

export const anycastExportUnfiltered = defineCheck({
  id: 'network.anycast-export-unfiltered',
  title: 'Anycast routes exported without a filter',
  group: 'network',
  description:
    'An anycast node announces its service addresses as /32 (or /128) routes over BGP. With `export all` ' +
    'BIRD sends its peers every route in the table instead — kernel routes, connected networks, static ' +
    'summaries — and one stray route can pull traffic for a whole network to this node. The export ' +
    'filter should name the anycast prefixes (and the maintenance IP) and reject the rest.',
  needs: ['anycastSetup'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup }) {
    const anycastNets = new Set(anycastSetup.prefixes.map(({ prefix }) => prefix.text))
    const maintenance = anycastSetup.maintenance.filter((m) =>
      anycastSetup.exports.some((e) => e.route.net.address === m.address),
    )
    const wanted = [
      ...anycastSetup.prefixes.map(({ prefix }) => prefix.text),
      ...maintenance.map((m) => `${m.address}/${m.family === 4 ? 32 : 128}`),
    ]
    const risks: Risk[] = []
    const fixes: string[] = []
    const messages: string[] = []
    for (const session of anycastSetup.sessions) {
      for (const channel of session.channels) {
        const policy = channel.export
        if (policy?.kind !== 'all') {
          if (policy)
            messages.push(
              `${anycastText.session(session)} ${channel.family}: export ${policy.kind} (${anycastText.at(policy.at)}).`,
            )
          continue
        }
        const others = anycastSetup.exports
          .filter((e) => e.session === session.protocol && !anycastNets.has(e.route.net.text))
          .map((e) => `${e.route.net.text} from ${e.route.protocol}`)
        // High: every route BIRD learns reaches the peers; the blog's one warning about BGP.
        risks.push(
          risk(
            'high',
            `${anycastText.session(session)} exports its ${channel.family} table unfiltered (\`export all\` at ${anycastText.at(policy.at)}): ` +
              'besides the anycast prefixes, every static, device and kernel route BIRD holds goes to the peer' +
              (others.length > 0 ? ` (here also ${others.join(', ')})` : '') +
              '.',
            anycastText.where(policy.at),
          ),
        )
        const family = wanted.filter((text) => (channel.family === 'ipv6') === text.includes(':'))
        fixes.push(
          `at ${anycastText.at(policy.at)} replace \`export all;\` with \`export where net ~ [ ${family.join(', ')} ];\``,
        )
      }
    }
    return passOrFail(
      risks,
      `Every BGP session that announces anycast (${anycastText.prefixes(anycastSetup.prefixes)}) exports through a filter.`,
      `Export only the anycast prefixes and the maintenance IP: ${[...new Set(fixes)].join('; ')}. Then run \`birdc configure\`.`,
      messages,
    )
  },
})
