/**
 * @module
 * The BIRD 2 routing daemon's configuration (/etc/bird/bird.conf on Debian, /etc/bird.conf on
 * EL), includes expanded, parsed into protocols, channels, filters, functions and constants, with
 * the options anycast depends on read out of each BGP session: timers, graceful restart, BFD and
 * the export policy. Every value keeps the file and line it came from.
 */
import { type IpPrefix, PrefixError, parsePrefix } from '../anycast/ip-prefix.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { birdIncludeRules, loadWithIncludes } from './bird-config/load-with-includes.ts'
import { parseBirdStatements } from './bird-config/parse-bird-statements.ts'
import {
  type BirdChannel,
  type BirdDeclarations,
  type BirdLocation,
  type BirdOption,
  type BirdProtocol,
  lastOption,
  readBirdDeclarations,
} from './bird-config/read-bird-declarations.ts'
import type { BirdToken } from './bird-config/tokenize-bird-config.ts'
import { defineFact } from './define-fact.ts'

export interface BirdSetting<T> extends BirdLocation {
  value: T
}

export interface BirdBgpSession {
  protocol: string
  at: BirdLocation
  neighbor?: string
  neighborAs?: string
  localAs?: string
  /** Seconds; BIRD's default is 240 when unset. */
  holdTime?: BirdSetting<number>
  keepaliveTime?: BirdSetting<number>
  /** BIRD's default is aware (keeps a restarting neighbour's routes, never asks peers to keep its own). */
  gracefulRestart?: BirdSetting<'on' | 'off' | 'aware'>
  gracefulRestartTime?: BirdSetting<number>
  bfd?: BirdSetting<'on' | 'off' | 'graceful'>
  channels: BirdChannel[]
}

export interface BirdStaticRoute {
  net: IpPrefix
  /** What follows the prefix: `via "lo"`, `blackhole`, `via 192.0.2.1`. */
  target: string
  /** The interface of `via "ifname"`. */
  viaInterface?: string
  file: string
  line: number
}

export interface BirdRouteSource {
  protocol: string
  type: 'static' | 'direct'
  at: BirdLocation
  channels: BirdChannel[]
  /** static: its routes. */
  routes: BirdStaticRoute[]
  /** direct: interface patterns as written (`"lo"`, `"-eth*"`); empty means every interface. */
  interfaces: string[]
}

export interface BirdBfdProtocol {
  protocol: string
  at: BirdLocation
  interfaces: string[]
  neighbors: string[]
}

export interface BirdConfig {
  /** The main file read; undefined when the host has no BIRD configuration. */
  path?: string
  files: string[]
  declarations: BirdDeclarations
  bgpSessions: BirdBgpSession[]
  routeSources: BirdRouteSource[]
  bfdProtocols: BirdBfdProtocol[]
  warnings: ParseWarning[]
}

/** Where distributions put bird.conf (Debian's bird2, EL's bird, a source build). */
export const birdConfigPaths = ['/etc/bird/bird.conf', '/etc/bird.conf', '/usr/local/etc/bird.conf']

const switchValues: Record<string, boolean> = { on: true, yes: true, off: false, no: false }

function setting<T>(option: BirdOption, value: T): BirdSetting<T> {
  return { file: option.at.file, line: option.at.line, value }
}

/** `hold time 9;` → 9; a warning when the value is not a number. */
function seconds(
  option: BirdOption | undefined,
  skip: number,
  warnings: ParseWarning[],
): BirdSetting<number> | undefined {
  if (!option) return undefined
  const word = option.words[skip]
  if (word?.kind !== 'number') {
    warnings.push({
      ...option.at,
      message: `expected a number of seconds after '${option.words
        .slice(0, skip)
        .map((w) => w.text)
        .join(' ')}'`,
    })
    return undefined
  }
  return setting(option, Number(word.text))
}

function gracefulRestart(protocol: BirdProtocol): BirdSetting<'on' | 'off' | 'aware'> | undefined {
  const option = protocol.options.findLast(
    (o) => o.words[0]?.text === 'graceful' && o.words[1]?.text === 'restart' && o.words[2]?.text !== 'time',
  )
  if (!option) return undefined
  const value = option.words[2]?.text
  if (value === undefined) return setting(option, 'on')
  if (value === 'aware') return setting(option, 'aware')
  return setting(option, switchValues[value] === false ? 'off' : 'on')
}

function bfd(protocol: BirdProtocol): BirdSetting<'on' | 'off' | 'graceful'> | undefined {
  const option = lastOption(protocol, 'bfd')
  if (!option) return undefined
  const value = option.words[1]?.text
  if (value === 'graceful') return setting(option, 'graceful')
  // `bfd;` and `bfd { … };` switch it on.
  return setting(option, value !== undefined && switchValues[value] === false ? 'off' : 'on')
}

/** `neighbor 192.0.2.1 as 64500;` / `local 192.0.2.2 as 64501;` / `local as 64501;` */
function peer(option: BirdOption | undefined): { address?: string; as?: string } {
  if (!option) return {}
  const address = option.words.find((word) => word.kind === 'ipv4' || word.kind === 'ipv6')?.text
  const asIndex = option.words.findIndex((word) => word.text === 'as')
  const as = asIndex === -1 ? undefined : option.words[asIndex + 1]?.text
  return { ...(address ? { address } : {}), ...(as ? { as } : {}) }
}

function bgpSession(protocol: BirdProtocol, warnings: ParseWarning[]): BirdBgpSession {
  const neighbor = peer(lastOption(protocol, 'neighbor'))
  const local = peer(lastOption(protocol, 'local'))
  const holdTime = seconds(lastOption(protocol, 'hold time'), 2, warnings)
  const keepaliveTime = seconds(lastOption(protocol, 'keepalive time'), 2, warnings)
  const restart = gracefulRestart(protocol)
  const restartTime = seconds(lastOption(protocol, 'graceful restart time'), 3, warnings)
  const bfdSetting = bfd(protocol)
  return {
    protocol: protocol.name,
    at: protocol.at,
    ...(neighbor.address ? { neighbor: neighbor.address } : {}),
    ...(neighbor.as ? { neighborAs: neighbor.as } : {}),
    ...(local.as ? { localAs: local.as } : {}),
    ...(holdTime ? { holdTime } : {}),
    ...(keepaliveTime ? { keepaliveTime } : {}),
    ...(restart ? { gracefulRestart: restart } : {}),
    ...(restartTime ? { gracefulRestartTime: restartTime } : {}),
    ...(bfdSetting ? { bfd: bfdSetting } : {}),
    channels: protocol.channels,
  }
}

function staticRoutes(protocol: BirdProtocol, warnings: ParseWarning[]): BirdStaticRoute[] {
  const routes: BirdStaticRoute[] = []
  for (const option of protocol.options) {
    if (option.words[0]?.text !== 'route') continue
    const [, address, slash, length, ...rest] = option.words
    if (!address || slash?.text !== '/' || length?.kind !== 'number') {
      warnings.push({ ...option.at, message: 'expected route PREFIX/LENGTH …' })
      continue
    }
    try {
      const net = parsePrefix(`${address.text}/${length.text}`)
      const viaInterface = rest[0]?.text === 'via' && rest[1]?.kind === 'string' ? rest[1].text : undefined
      routes.push({
        net,
        target: rest
          .map((word: BirdToken) => (word.kind === 'string' ? `"${word.text}"` : word.text))
          .join(' '),
        ...(viaInterface ? { viaInterface } : {}),
        ...option.at,
      })
    } catch (error) {
      if (!(error instanceof PrefixError)) throw error
      warnings.push({ ...option.at, message: `${error.message} (BIRD refuses the route)` })
    }
  }
  return routes
}

/** The string arguments of every `KEYWORD "a", "b" …` option (a block after them is ignored). */
function quotedArguments(protocol: BirdProtocol, keyword: string): string[] {
  return protocol.options
    .filter((option) => option.words[0]?.text === keyword)
    .flatMap((option) => option.words.filter((word) => word.kind === 'string').map((word) => word.text))
}

function addresses(protocol: BirdProtocol, keyword: string): string[] {
  return protocol.options
    .filter((option) => option.words[0]?.text === keyword)
    .flatMap((option) =>
      option.words.filter((word) => word.kind === 'ipv4' || word.kind === 'ipv6').map((word) => word.text),
    )
}

export function interpretBirdConfig(
  path: string | undefined,
  files: string[],
  tokens: BirdToken[],
  warnings: ParseWarning[],
): BirdConfig {
  const parsed = parseBirdStatements(tokens)
  const read = readBirdDeclarations(parsed.statements)
  const all = [...warnings, ...parsed.warnings, ...read.warnings]
  const { protocols } = read.declarations
  return {
    ...(path ? { path } : {}),
    files,
    declarations: read.declarations,
    bgpSessions: protocols.filter((p) => p.type === 'bgp').map((p) => bgpSession(p, all)),
    routeSources: protocols
      .filter((p) => p.type === 'static' || p.type === 'direct')
      .map((p) => ({
        protocol: p.name,
        type: p.type as 'static' | 'direct',
        at: p.at,
        channels: p.channels,
        routes: p.type === 'static' ? staticRoutes(p, all) : [],
        interfaces: p.type === 'direct' ? quotedArguments(p, 'interface') : [],
      })),
    bfdProtocols: protocols
      .filter((p) => p.type === 'bfd')
      .map((p) => ({
        protocol: p.name,
        at: p.at,
        interfaces: quotedArguments(p, 'interface'),
        neighbors: addresses(p, 'neighbor'),
      })),
    warnings: all,
  }
}

export const birdConfig = defineFact({
  id: 'birdConfig',
  title: 'BIRD routing daemon configuration',
  async collect({ host }): Promise<BirdConfig> {
    for (const path of birdConfigPaths) {
      const text = await host.readText(path)
      if (text === undefined) continue
      const loaded = await loadWithIncludes(host, path, text, birdIncludeRules)
      return interpretBirdConfig(path, loaded.files, loaded.tokens, loaded.warnings)
    }
    return interpretBirdConfig(undefined, [], [], [])
  },
})
