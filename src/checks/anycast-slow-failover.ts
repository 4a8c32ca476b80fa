// A hung anycast node (kernel up, processes stuck) keeps its TCP session, so only the BGP hold
// timer or BFD withdraws its routes: BIRD's default hold time of 240 s means minutes of lost
// queries. The anycast lab measured 6.4-7.8 s with hold 9 s and 0.3 s with BFD (100 ms x 3).

import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

/** BIRD's default `hold time` (seconds). */
const defaultHoldSeconds = 240
/**
 * Longest hold time accepted without BFD. A hang then costs at most half a minute; the lab's 9 s
 * hold failed over in under 8 s. Longer than this, a hung node drops its catchment's queries for
 * longer than resolvers keep retrying.
 */
const maxHoldSecondsWithoutBfd = 30

export const anycastSlowFailover = defineCheck({
  id: 'network.anycast-slow-failover',
  title: 'Slow anycast failover: default BGP timers and no BFD',
  group: 'network',
  description:
    'When an anycast node hangs rather than crashes, its BGP session stays open and its peer keeps ' +
    'sending it traffic until the hold timer expires (240 s with BIRD’s defaults). A short hold time ' +
    '(9 s in the anycast lab, failover in 6.4-7.8 s) or BFD (100 ms × 3, failover in 0.3 s) bounds the outage.',
  needs: ['anycastSetup'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup }) {
    const risks: Risk[] = []
    const fixes: string[] = []
    const messages: string[] = []
    const bfdProtocol = anycastSetup.bfdProtocols[0]
    for (const session of anycastSetup.sessions) {
      const bfd = session.bfd
      const bfdRequested = bfd !== undefined && bfd.value !== 'off'
      if (bfdRequested && bfdProtocol) {
        messages.push(
          `${anycastText.session(session)}: BFD ${bfd.value} (${anycastText.at(bfd)}), sessions run by protocol ${bfdProtocol.protocol} (${anycastText.at(bfdProtocol.at)}).`,
        )
        continue
      }
      const hold = session.holdTime?.value ?? defaultHoldSeconds
      const holdText = session.holdTime
        ? `hold time ${hold} s (${anycastText.at(session.holdTime)})`
        : `BIRD's default hold time of ${defaultHoldSeconds} s`
      const bfdNote = bfdRequested
        ? ` \`bfd ${bfd.value}\` at ${anycastText.at(bfd)} does nothing: there is no \`protocol bfd\` to run the session.`
        : ''
      if (hold <= maxHoldSecondsWithoutBfd) {
        messages.push(`${anycastText.session(session)}: ${holdText}, no BFD.${bfdNote}`)
        continue
      }
      // High for the untouched default (4 minutes, never a choice); medium for a long hold set on purpose.
      risks.push(
        risk(
          session.holdTime ? 'medium' : 'high',
          `${anycastText.session(session)} uses ${holdText} and no BFD: when this node hangs, its peer keeps ` +
            `sending it the anycast traffic for up to ${hold} s before the next site takes over.${bfdNote}`,
          anycastText.where(session.holdTime ?? bfd ?? session.at),
        ),
      )
      fixes.push(
        session.holdTime
          ? `Change \`hold time ${hold}\` at ${anycastText.at(session.holdTime)} to \`hold time 9; keepalive time 3;\``
          : `Add \`hold time 9; keepalive time 3;\` to protocol ${session.protocol} (${anycastText.at(session.at)})`,
      )
    }
    const bfdFix = bfdProtocol
      ? `\`bfd on;\` in the session (protocol ${bfdProtocol.protocol} already runs BFD)`
      : '`bfd on;` in the session plus `protocol bfd { interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }`'
    return passOrFail(
      risks,
      'Every BGP session that announces anycast notices a hung node within seconds.',
      `${[...new Set(fixes)].join('. ')} (the lower hold time of the two peers applies, so the router may need it too); ` +
        `or, faster, BFD: ${bfdFix}, with BFD on the router as well. Then run \`birdc configure\`.`,
      messages,
    )
  },
})
