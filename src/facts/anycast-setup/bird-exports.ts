/**
 * @module
 * Which routes BIRD's BGP sessions export, worked out from the configuration: the routes its
 * static protocols define and its direct protocols take from lo, each through its own channel's
 * import filter, then through every BGP channel's export policy of the same family.
 */
import { type IpPrefix, parsePrefix } from '../../anycast/ip-prefix.ts'
import {
  type EvaluationOptions,
  evaluatePolicy,
  type FilterVerdict,
} from '../bird-config/evaluate-bird-filter.ts'
import { type BirdStatement, isBlock } from '../bird-config/parse-bird-statements.ts'
import type {
  BirdChannel,
  BirdDeclarations,
  BirdFilterPolicy,
  BirdLocation,
} from '../bird-config/read-bird-declarations.ts'
import type { BirdToken } from '../bird-config/tokenize-bird-config.ts'
import type { BirdConfig, BirdRouteSource } from '../bird-config.ts'

export interface CandidateRoute {
  net: IpPrefix
  protocol: string
  type: 'static' | 'direct'
  /** The static route line, or the direct protocol. */
  at: BirdLocation
  /** static: `via "lo"`, `blackhole`, …; direct: the interface. */
  target: string
  /** The route's interface: `via "lo"` of a static route, lo for a direct protocol on lo. */
  viaInterface?: string
}

export interface RouteExport {
  route: CandidateRoute
  session: string
  verdict: Exclude<FilterVerdict, 'reject'>
  /** Where the session's export policy is written (the session itself when the policy is absent). */
  policyAt: BirdLocation
  /** The decision went through a function or constant declared in an included file (a tool-written gate). */
  gated: boolean
}

function familyName(net: IpPrefix): string {
  return net.family === 4 ? 'ipv4' : 'ipv6'
}

function channelFor(channels: BirdChannel[], net: IpPrefix): BirdChannel | undefined {
  return channels.find((channel) => channel.family === familyName(net))
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(name)
}

/** BIRD interface patterns: the first that matches decides, a leading '-' excludes; none means every interface. */
function interfaceSelected(patterns: string[], name: string): boolean {
  if (patterns.length === 0) return true
  for (const pattern of patterns) {
    const negated = pattern.startsWith('-')
    if (globMatches(negated ? pattern.slice(1) : pattern, name)) return !negated
  }
  return false
}

function policyTokens(policy: BirdFilterPolicy | undefined, declarations: BirdDeclarations): BirdToken[] {
  if (!policy) return []
  if (policy.kind === 'where') return policy.condition
  const statements =
    policy.kind === 'inline'
      ? policy.body
      : policy.kind === 'filter'
        ? (declarations.filters.get(policy.name)?.body ?? [])
        : []
  const tokens: BirdToken[] = []
  const walk = (list: BirdStatement[]) => {
    for (const statement of list)
      for (const item of statement.items) {
        if (isBlock(item)) walk(item.statements)
        else tokens.push(item)
      }
  }
  walk(statements)
  return tokens
}

/** Host prefixes written in a policy (`net ~ [ 203.0.113.53/32 ]`, `net = 198.51.100.65/32`). */
function hostPrefixesIn(tokens: BirdToken[]): IpPrefix[] {
  const found: IpPrefix[] = []
  tokens.forEach((token, index) => {
    const length = tokens[index + 2]
    if ((token.kind !== 'ipv4' && token.kind !== 'ipv6') || tokens[index + 1]?.text !== '/' || !length) return
    if (Number(length.text) === (token.kind === 'ipv4' ? 32 : 128))
      found.push(parsePrefix(`${token.text}/${length.text}`))
  })
  return found
}

/**
 * `loopback`: the networks of lo's addresses, the routes a direct protocol on lo sees. A direct
 * protocol also gets the host prefixes its import filter names: they are the addresses it is
 * meant to carry, whether or not they are on lo yet.
 */
function candidates(
  source: BirdRouteSource,
  loopback: IpPrefix[],
  declarations: BirdDeclarations,
): CandidateRoute[] {
  if (source.type === 'static') {
    return source.routes.map((route) => ({
      net: route.net,
      protocol: source.protocol,
      type: 'static',
      at: { file: route.file, line: route.line },
      target: route.target,
      ...(route.viaInterface ? { viaInterface: route.viaInterface } : {}),
    }))
  }
  if (!interfaceSelected(source.interfaces, 'lo')) return []
  const nets = new Map(loopback.map((net) => [net.text, net]))
  for (const channel of source.channels)
    for (const net of hostPrefixesIn(policyTokens(channel.import, declarations))) nets.set(net.text, net)
  return [...nets.values()].map((net) => ({
    net,
    protocol: source.protocol,
    type: 'direct',
    at: source.at,
    target: 'lo',
    viaInterface: 'lo',
  }))
}

/**
 * Every route of the static and direct (lo) protocols that some BGP channel may export, with the
 * verdict: accept, or unknown when the decision depends on something only the running BIRD knows.
 */
export function birdExports(
  bird: BirdConfig,
  loopback: IpPrefix[],
  options: EvaluationOptions,
): RouteExport[] {
  const { declarations } = bird
  const mainFile = bird.path
  const exports: RouteExport[] = []
  for (const source of bird.routeSources) {
    for (const route of candidates(source, loopback, declarations)) {
      const originChannel = channelFor(source.channels, route.net)
      if (!originChannel) continue
      const birdRoute = {
        net: route.net,
        proto: source.protocol,
        source: source.type === 'static' ? 'RTS_STATIC' : 'RTS_DEVICE',
        ...(source.type === 'direct' ? { ifname: 'lo' } : {}),
      }
      const imported = evaluatePolicy(originChannel.import, 'all', birdRoute, declarations, options)
      if (imported.verdict === 'reject') continue
      for (const session of bird.bgpSessions) {
        const channel = channelFor(session.channels, route.net)
        if (!channel) continue
        const exported = evaluatePolicy(channel.export, 'none', birdRoute, declarations, options)
        if (exported.verdict === 'reject') continue
        const consulted = [...imported.consulted, ...exported.consulted]
        const verdict = imported.verdict === 'unknown' ? 'unknown' : exported.verdict
        exports.push({
          route,
          session: session.protocol,
          verdict,
          policyAt: channel.export?.at ?? session.at,
          gated:
            consulted.some((symbol) => symbol.file !== mainFile) ||
            consulted.some((symbol) => options.gates?.has(symbol.name)),
        })
      }
    }
  }
  return exports
}
