// With BGP graceful restart on, a crashed anycast node asks its peers to keep its routes as stale
// for the restart time (120 s by default), so clients are sent to a dead node instead of the next
// site (anycast lab pitfall 5; BIRD 2 user's guide, BGP option `graceful restart`).

import { anycastText } from './anycast-text.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

/** BIRD's default `graceful restart time`. */
const defaultRestartSeconds = 120

export const anycastGracefulRestart = defineCheck({
  id: 'network.anycast-graceful-restart',
  title: 'BGP graceful restart on an anycast node',
  group: 'network',
  description:
    'Graceful restart (RFC 4724) lets a router keep forwarding to a neighbour whose BGP process restarts. ' +
    'For an anycast node it does the opposite of what is wanted: when the node dies, its peers keep its ' +
    '/32s as stale routes for the restart time and black-hole the queries instead of failing over to the ' +
    "next site. BIRD's default (aware) only helps restarting neighbours and is safe; `on` is not.",
  needs: ['anycastSetup'],
  appliesTo: ({ anycastSetup }) => anycastSetup.absentReason,
  run({ anycastSetup }) {
    const risks: Risk[] = []
    const fixes: string[] = []
    const messages: string[] = []
    for (const session of anycastSetup.sessions) {
      const setting = session.gracefulRestart
      if (setting?.value !== 'on') {
        messages.push(
          `${anycastText.session(session)}: graceful restart ${setting ? `${setting.value} (${anycastText.at(setting)})` : "aware (BIRD's default)"}.`,
        )
        continue
      }
      const seconds = session.gracefulRestartTime?.value ?? defaultRestartSeconds
      // High: a crash of this node black-holes its catchment for the whole restart time.
      risks.push(
        risk(
          'high',
          `${anycastText.session(session)} has graceful restart on (${anycastText.at(setting)}): when this node crashes, ` +
            `its peer keeps the anycast routes (${anycastText.prefixes(anycastSetup.prefixes)}) as stale for ${seconds} s ` +
            'and sends clients to the dead node instead of the next site.',
          anycastText.where(setting),
        ),
      )
      fixes.push(
        `At ${anycastText.at(setting)} write \`graceful restart off;\` (or \`aware\`, BIRD's default)`,
      )
    }
    return passOrFail(
      risks,
      'No BGP session that announces anycast asks its peers to keep its routes after a crash.',
      `${[...new Set(fixes)].join('. ')}. Then run \`birdc configure\` (the session restarts once).`,
      messages,
    )
  },
})
