/**
 * @module
 * What a BIRD 2 configuration declares, read from its statement tree: protocols (templates
 * applied, unnamed ones named as BIRD names them: `static1`, `bgp2`), their channels' import and
 * export policies, filters, functions and `define`d constants. Options keep their file and line,
 * so a finding can point at the line to change.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import { type BirdItem, type BirdStatement, isBlock, isToken, leadingWords } from './parse-bird-statements.ts'
import type { BirdToken } from './tokenize-bird-config.ts'

export interface BirdLocation {
  file: string
  line: number
}

/** A channel's import or export policy as written. */
export type BirdFilterPolicy =
  | { kind: 'all' | 'none'; at: BirdLocation }
  | { kind: 'filter'; name: string; at: BirdLocation }
  | { kind: 'inline'; body: BirdStatement[]; at: BirdLocation }
  | { kind: 'where'; condition: BirdToken[]; at: BirdLocation }

export interface BirdChannel {
  /** `ipv4`, `ipv6`, `vpn4 mpls`, … */
  family: string
  at: BirdLocation
  import?: BirdFilterPolicy
  export?: BirdFilterPolicy
}

/** One option statement of a protocol body (channels excluded): `hold time 9` is key 'hold time'. */
export interface BirdOption {
  words: BirdToken[]
  at: BirdLocation
}

export interface BirdProtocol {
  /** `bgp`, `static`, `direct`, `device`, `kernel`, `bfd`, `ospf`, … */
  type: string
  name: string
  at: BirdLocation
  /** The template chain, nearest first. */
  templates: string[]
  /** Template options first, the protocol's own last: the last match of a key wins. */
  options: BirdOption[]
  /** Channels merged with their templates' channels of the same family. */
  channels: BirdChannel[]
}

export interface BirdFunction {
  name: string
  params: string[]
  body: BirdStatement[]
  at: BirdLocation
}

export interface BirdFilter {
  name: string
  body: BirdStatement[]
  at: BirdLocation
}

export interface BirdDefine {
  name: string
  value: BirdToken[]
  at: BirdLocation
}

export interface BirdDeclarations {
  protocols: BirdProtocol[]
  filters: Map<string, BirdFilter>
  functions: Map<string, BirdFunction>
  defines: Map<string, BirdDefine>
}

/** Channel keywords (BIRD 2 channel types). */
const channelTypes = new Set([
  'ipv4',
  'ipv6',
  'vpn4',
  'vpn6',
  'roa4',
  'roa6',
  'flow4',
  'flow6',
  'mpls',
  'aspa',
  'eth',
  'evpn',
])

/** Second words of protocol types that take a version (`ospf v3`, `rip ng`). */
const protocolVariants = new Set(['v2', 'v3', 'ng'])

function at(token: BirdToken): BirdLocation {
  return { file: token.file, line: token.line }
}

interface RawProtocol {
  type: string
  name?: string
  from?: string
  body: BirdStatement[]
  at: BirdLocation
}

function readChannel(statement: BirdStatement, words: BirdToken[], warnings: ParseWarning[]): BirdChannel {
  const tableIndex = words.findIndex((word) => word.text === 'table')
  const family = words
    .slice(0, tableIndex === -1 ? undefined : tableIndex)
    .map((word) => word.text)
    .join(' ')
  const channel: BirdChannel = { family, at: at(statement.first) }
  const body = statement.items.find(isBlock)
  for (const option of body?.statements ?? []) {
    const [direction, mode] = leadingWords(option)
    if (direction?.text !== 'import' && direction?.text !== 'export') continue
    const policy = readPolicy(option, direction, mode, warnings)
    if (policy) channel[direction.text] = policy
  }
  return channel
}

function readPolicy(
  statement: BirdStatement,
  direction: BirdToken,
  mode: BirdToken | undefined,
  warnings: ParseWarning[],
): BirdFilterPolicy | undefined {
  const where = at(direction)
  switch (mode?.text) {
    case 'all':
    case 'none':
      return { kind: mode.text, at: where }
    case 'where':
      return { kind: 'where', condition: statement.items.slice(2).filter((item) => isToken(item)), at: where }
    case 'filter': {
      const next = statement.items[2]
      if (isBlock(next)) return { kind: 'inline', body: next.statements, at: where }
      if (isToken(next)) return { kind: 'filter', name: next.text, at: where }
      warnings.push({ ...where, message: `'${direction.text} filter' without a filter name or block` })
      return undefined
    }
    default:
      // `import keep filtered`, `export limit 10`, `import table on`: not a filter policy.
      return undefined
  }
}

function mergeChannels(base: BirdChannel[], own: BirdChannel[]): BirdChannel[] {
  const merged = base.map((channel) => ({ ...channel }))
  for (const channel of own) {
    const inherited = merged.find((candidate) => candidate.family === channel.family)
    if (!inherited) {
      merged.push({ ...channel })
      continue
    }
    inherited.at = channel.at
    if (channel.import) inherited.import = channel.import
    if (channel.export) inherited.export = channel.export
  }
  return merged
}

function splitBody(
  body: BirdStatement[],
  warnings: ParseWarning[],
): { options: BirdOption[]; channels: BirdChannel[] } {
  const options: BirdOption[] = []
  const channels: BirdChannel[] = []
  for (const statement of body) {
    const words = leadingWords(statement)
    if (words[0] && channelTypes.has(words[0].text) && words[0].kind === 'symbol') {
      channels.push(readChannel(statement, words, warnings))
      continue
    }
    options.push({
      words: statement.items.filter((item): item is BirdToken => isToken(item)),
      at: at(statement.first),
    })
  }
  return { options, channels }
}

/** `protocol bgp name from tmpl { … }` / `template bgp name { … }` → its parts. */
function readProtocolHeader(items: BirdItem[], warnings: ParseWarning[]): RawProtocol | undefined {
  const [keyword, typeToken, ...rest] = items
  const body = items.find(isBlock)
  if (!isToken(keyword) || !isToken(typeToken) || !body) {
    if (isToken(keyword))
      warnings.push({ ...at(keyword), message: `'${keyword.text}' without a type and a { } body` })
    return undefined
  }
  const names = rest.filter((item): item is BirdToken => isToken(item)).map((token) => token.text)
  if (protocolVariants.has(names[0] ?? '')) names.shift()
  const fromIndex = names.indexOf('from')
  const name = fromIndex === -1 ? names[0] : names.slice(0, fromIndex)[0]
  const from = fromIndex === -1 ? undefined : names[fromIndex + 1]
  return {
    type: typeToken.text,
    ...(name ? { name } : {}),
    ...(from ? { from } : {}),
    body: body.statements,
    at: at(keyword),
  }
}

function readFunction(statement: BirdStatement, warnings: ParseWarning[]): BirdFunction | undefined {
  const [, nameToken] = statement.items
  const body = statement.items.find(isBlock)
  if (!isToken(nameToken) || !body) {
    warnings.push({ ...at(statement.first), message: "'function' without a name and a { } body" })
    return undefined
  }
  const tokens = statement.items.filter((item): item is BirdToken => isToken(item))
  const open = tokens.findIndex((token) => token.text === '(')
  const close = tokens.findIndex((token) => token.text === ')')
  // Parameters are `type name` pairs separated by ';' or ',': the name is the word before each separator.
  const params: string[] = []
  if (open !== -1 && close > open) {
    const inside = tokens.slice(open + 1, close)
    inside.forEach((token, index) => {
      const next = inside[index + 1]
      if (token.kind === 'symbol' && (next === undefined || next.text === ',' || next.text === ';'))
        params.push(token.text)
    })
  }
  return { name: nameToken.text, params, body: body.statements, at: at(statement.first) }
}

export function readBirdDeclarations(statements: BirdStatement[]): {
  declarations: BirdDeclarations
  warnings: ParseWarning[]
} {
  const warnings: ParseWarning[] = []
  const templates = new Map<string, RawProtocol>()
  const rawProtocols: RawProtocol[] = []
  const filters = new Map<string, BirdFilter>()
  const functions = new Map<string, BirdFunction>()
  const defines = new Map<string, BirdDefine>()

  for (const statement of statements) {
    const [keyword] = leadingWords(statement)
    switch (keyword?.text) {
      case 'protocol':
      case 'template': {
        const raw = readProtocolHeader(statement.items, warnings)
        if (!raw) break
        if (keyword.text === 'protocol') rawProtocols.push(raw)
        else if (raw.name) templates.set(raw.name, raw)
        else warnings.push({ ...raw.at, message: 'template without a name' })
        break
      }
      case 'filter': {
        const [, nameToken, body] = statement.items
        if (isToken(nameToken) && isBlock(body)) {
          filters.set(nameToken.text, { name: nameToken.text, body: body.statements, at: at(keyword) })
        } else warnings.push({ ...at(keyword), message: "'filter' without a name and a { } body" })
        break
      }
      case 'function': {
        const declared = readFunction(statement, warnings)
        if (declared) functions.set(declared.name, declared)
        break
      }
      case 'define': {
        const tokens = statement.items.filter((item): item is BirdToken => isToken(item))
        const [, nameToken, equals, ...value] = tokens
        if (nameToken && equals?.text === '=') {
          defines.set(nameToken.text, { name: nameToken.text, value, at: at(keyword) })
        } else warnings.push({ ...at(keyword), message: "expected 'define NAME = value;'" })
        break
      }
      default:
        break
    }
  }

  // cf_default_name: each unnamed protocol takes the next free `<type><n>`, counted per type.
  const counters = new Map<string, number>()
  const taken = new Set(rawProtocols.flatMap((raw) => (raw.name ? [raw.name] : [])))
  const defaultName = (type: string): string => {
    let count = counters.get(type) ?? 0
    let name: string
    do name = `${type}${++count}`
    while (taken.has(name))
    counters.set(type, count)
    taken.add(name)
    return name
  }
  const protocols = rawProtocols.map((raw): BirdProtocol => {
    const chain: RawProtocol[] = []
    const seen = new Set<string>()
    for (let from = raw.from; from !== undefined; from = templates.get(from)?.from) {
      const template = templates.get(from)
      if (!template || seen.has(from)) {
        if (!template) warnings.push({ ...raw.at, message: `template '${from}' is not defined` })
        break
      }
      seen.add(from)
      chain.push(template)
    }
    let options: BirdOption[] = []
    let channels: BirdChannel[] = []
    for (const part of [...chain].reverse().concat(raw)) {
      const split = splitBody(part.body, warnings)
      options = options.concat(split.options)
      channels = mergeChannels(channels, split.channels)
    }
    return {
      type: raw.type,
      name: raw.name ?? defaultName(raw.type),
      at: raw.at,
      templates: chain.map((template) => template.name ?? ''),
      options,
      channels,
    }
  })
  return { declarations: { protocols, filters, functions, defines }, warnings }
}

/** The last option whose leading words are `key` (`'hold time'`), as BIRD keeps the last value. */
export function lastOption(protocol: BirdProtocol, key: string): BirdOption | undefined {
  const parts = key.split(' ')
  return protocol.options.findLast((option) =>
    parts.every((part, index) => option.words[index]?.text === part),
  )
}
