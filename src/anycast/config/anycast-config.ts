/**
 * @module
 * The `preflight anycast` config file: typed settings with their defaults, validated section by
 * section (zod) on top of the line layer (`ini-document.ts`), so every error names `file:line`.
 * The format is documented in docs/anycast.md; keep the two in step.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { ParseError } from '../../host/parse-error.ts'
import { dnsClassCode, dnsRcodeCode, dnsTypeCode } from '../checks/dns-message.ts'
import { parseDuration } from '../duration.ts'
import { type IpPrefix, PrefixError, parsePrefix } from '../ip-prefix.ts'
import { AnycastConfigError } from './anycast-config-error.ts'
import { type IniDocument, type IniSection, parseIniDocument } from './ini-document.ts'

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

export interface DaemonSettings {
  readonly backend: 'bird' | 'exabgp'
  /** @default '/run/preflight-anycast.sock' */
  readonly controlSocket: string
  /** While this file exists every service is drained. @default '/etc/preflight/anycast.drain' */
  readonly drainFile: string
  /** @default 1000 */
  readonly drainPoll: number
  /** Prometheus endpoint; undefined when `metrics-listen = off`. @default 127.0.0.1:9274 */
  readonly metricsListen: ListenAddress | undefined
  /** @default 'info' */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** @default true */
  readonly withdrawOnShutdown: boolean
  /** How long shutdown waits for the withdraw to be confirmed. @default 10000 */
  readonly shutdownTimeout: number
  /** Period of the full re-check of addresses and backend state. @default 30000 */
  readonly resync: number
  /** First back-off after a failed reload or address change; doubles up to `retryMax`. @default 1000 */
  readonly retryMin: number
  /** @default 30000 */
  readonly retryMax: number
  /** Seed of the start-up splay (tests); undefined draws one at random. */
  readonly splaySeed: number | undefined
}

export interface BirdSettings {
  /** @default '/run/bird/bird.ctl' */
  readonly socket: string
  /** The file the daemon owns and bird.conf includes. @default '/etc/bird/anycast-preflight.conf' */
  readonly includeFile: string
  /** @default 'preflight_anycast_export' */
  readonly functionName: string
  /** BGP protocols whose export view must no longer show a withdrawn prefix before it counts as withdrawn. */
  readonly confirmProtocols: readonly string[]
  /** Time limit of one control-socket command. @default 5000 */
  readonly timeout: number
  /** Minimum gap between two reconfigurations; changes in between share one. @default 200 */
  readonly coalesce: number
  /** @default 5000 */
  readonly confirmTimeout: number
}

export interface ExabgpSettings {
  /** @default 'self' */
  readonly nextHop: string
  /** Appended to every announce line, e.g. `med 100 community [64500:53]`. @default '' */
  readonly attributes: string
  /** Wait for ExaBGP's `done`/`error` after each command (exabgp.api.ack). @default true */
  readonly ack: boolean
  /** @default 5000 */
  readonly ackTimeout: number
}

/** Route-flap dampening of a service (RFC 2439 style); see docs/anycast.md for the formula. */
export interface DampeningSettings {
  /** @default 1000 */
  readonly penalty: number
  /** @default 2000 */
  readonly suppress: number
  /** @default 750 */
  readonly reuse: number
  /** @default 30000 */
  readonly halfLife: number
  /** @default 300000 */
  readonly maxSuppress: number
}

export type RequirePolicy =
  | { readonly mode: 'all' }
  | { readonly mode: 'any' }
  | { readonly mode: 'quorum'; readonly count: number }

export interface CheckTiming {
  /** @default 2000 */
  readonly interval: number
  /** Interval while the check's state is changing (rise/fall counting). @default 500 */
  readonly fastInterval: number
  /** Per attempt. @default 1000 */
  readonly timeout: number
  /** Attempts per round before the round counts as failed. @default 1 */
  readonly tries: number
  /** @default 3 */
  readonly rise: number
  /** @default 2 */
  readonly fall: number
}

/** Where a network check binds its source: the target itself (keeps the probe on this node), nothing, or an address. */
export type SourceBinding =
  | { readonly kind: 'target' }
  | { readonly kind: 'none' }
  | { readonly kind: 'address'; readonly address: string }

export type ProbeConfig =
  | {
      readonly type: 'dns'
      readonly target: string
      readonly port: number
      readonly transport: 'udp' | 'tcp'
      readonly qname: string
      readonly qtype: number
      readonly qclass: number
      readonly expectRcodes: readonly number[]
      readonly expectAnswer: boolean
      readonly recursion: boolean
      readonly source: SourceBinding
    }
  | { readonly type: 'tcp'; readonly target: string; readonly port: number; readonly source: SourceBinding }
  | {
      readonly type: 'udp'
      readonly target: string
      readonly port: number
      readonly payload: string
      readonly source: SourceBinding
    }
  | {
      readonly type: 'http'
      readonly url: string
      readonly expectStatus: readonly (readonly [number, number])[]
      readonly expectBody: string | undefined
      readonly source: SourceBinding
    }
  | { readonly type: 'command'; readonly command: string }
  | { readonly type: 'address'; readonly interface: string; readonly addresses: readonly IpPrefix[] }

export interface CheckConfig {
  readonly service: string
  readonly name: string
  readonly line: number
  readonly timing: CheckTiming
  readonly probe: ProbeConfig
}

export interface ServiceConfig {
  readonly name: string
  readonly line: number
  readonly prefixes: readonly IpPrefix[]
  /** @default 'lo' */
  readonly interface: string
  /** static: kept while the daemon runs; dynamic: also removed while withdrawn for failing; unmanaged: never touched. @default 'static' */
  readonly address: 'static' | 'dynamic' | 'unmanaged'
  /** @default { mode: 'all' } */
  readonly require: RequirePolicy
  /** A BIRD protocol carrying only this service's routes: disabled at once on withdraw (fast path). */
  readonly birdProtocol: string | undefined
  /** @default `${daemon.drainFile}.${name}` */
  readonly drainFile: string
  readonly checks: readonly CheckConfig[]
}

export interface AnycastConfig {
  readonly file: string
  readonly daemon: DaemonSettings
  readonly bird: BirdSettings
  readonly exabgp: ExabgpSettings
  readonly dampening: DampeningSettings
  readonly services: readonly ServiceConfig[]
}

const defaultTiming: CheckTiming = {
  interval: 2000,
  fastInterval: 500,
  timeout: 1000,
  tries: 1,
  rise: 3,
  fall: 2,
}

// ---------------------------------------------------------------- value schemas ---

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 2s or 1m, not '${text}'` })
    return z.NEVER
  }
  return ms
})

const positiveDuration = duration.refine((ms) => ms > 0, 'must be longer than 0')

const boolean = z.string().transform((text, ctx) => {
  const value = { yes: true, true: true, on: true, no: false, false: false, off: false }[text.toLowerCase()]
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected yes or no, not '${text}'` })
    return z.NEVER
  }
  return value
})

const integer = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
    if (!(value >= min && value <= max)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a whole number from ${min} to ${max}, not '${text}'`,
      })
      return z.NEVER
    }
    return value
  })

const oneOf = <const T extends string>(values: readonly T[]) =>
  z.string().transform((text, ctx) => {
    if ((values as readonly string[]).includes(text)) return text as T
    ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, not '${text}'` })
    return z.NEVER
  })

const fromTable = (what: string, lookup: (text: string) => number | undefined) =>
  z.string().transform((text, ctx) => {
    const value = lookup(text)
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown ${what} '${text}'` })
      return z.NEVER
    }
    return value
  })

const birdIdentifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'expected a BIRD symbol name (letters, digits, _; not starting with a digit)',
  )

const path = z.string().regex(/^\//, 'expected an absolute path')

const address = z.string().transform((text, ctx) => {
  try {
    return parsePrefix(text).address
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message })
    return z.NEVER
  }
})

const listen = z.string().transform((text, ctx) => {
  if (text === 'off') return undefined
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)$/.exec(text)
  const port = Number(match?.[3])
  if (!match || !(port > 0 && port < 65536)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected host:port such as 127.0.0.1:9274 or [::1]:9274, or off, not '${text}'`,
    })
    return z.NEVER
  }
  return { host: match[1] ?? match[2] ?? '', port }
})

const source = z.string().transform((text, ctx): SourceBinding => {
  if (text === 'target') return { kind: 'target' }
  if (text === 'none') return { kind: 'none' }
  try {
    return { kind: 'address', address: parsePrefix(text).address }
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected target, none or an address, not '${text}'` })
    return z.NEVER
  }
})

const statusRanges = z.string().transform((text, ctx) => {
  const ranges: [number, number][] = []
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part)
    const low = Number(match?.[1])
    const high = Number(match?.[2] ?? match?.[1])
    if (!match || low > high) {
      ctx.addIssue({
        code: 'custom',
        message: `expected status codes or ranges such as 200 or 200-399, not '${part}'`,
      })
      return z.NEVER
    }
    ranges.push([low, high])
  }
  return ranges
})

const rcodes = z.string().transform((text, ctx) => {
  const codes: number[] = []
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const code = dnsRcodeCode(part)
    if (code === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown DNS rcode '${part}' (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …)`,
      })
      return z.NEVER
    }
    codes.push(code)
  }
  return codes
})

const require = z.string().transform((text, ctx): RequirePolicy => {
  if (text === 'all' || text === 'any') return { mode: text }
  const match = /^quorum\s+(\d+)$/.exec(text)
  if (match && Number(match[1]) >= 1) return { mode: 'quorum', count: Number(match[1]) }
  ctx.addIssue({ code: 'custom', message: `expected all, any or quorum N, not '${text}'` })
  return z.NEVER
})

// --------------------------------------------------------------- section schemas ---

const daemonSchema = z
  .object({
    backend: oneOf(['bird', 'exabgp']).default('bird'),
    'control-socket': path.default('/run/preflight-anycast.sock'),
    'drain-file': path.default('/etc/preflight/anycast.drain'),
    'drain-poll': positiveDuration.default(1000),
    // prefault, not default: zod re-applies a default when the transform yields undefined, which would undo 'off'.
    'metrics-listen': listen.prefault('127.0.0.1:9274'),
    'log-level': oneOf(['debug', 'info', 'warn', 'error']).default('info'),
    'withdraw-on-shutdown': boolean.default(true),
    'shutdown-timeout': positiveDuration.default(10_000),
    resync: positiveDuration.default(30_000),
    'retry-min': positiveDuration.default(1000),
    'retry-max': positiveDuration.default(30_000),
    'splay-seed': integer(0, 2 ** 32 - 1).optional(),
  })
  .strict()

const birdSchema = z
  .object({
    socket: path.default('/run/bird/bird.ctl'),
    'include-file': path.default('/etc/bird/anycast-preflight.conf'),
    function: birdIdentifier.default('preflight_anycast_export'),
    'confirm-protocols': z.string().default(''),
    timeout: positiveDuration.default(5000),
    coalesce: duration.default(200),
    'confirm-timeout': positiveDuration.default(5000),
  })
  .strict()

const exabgpSchema = z
  .object({
    'next-hop': z
      .string()
      .regex(/^(self|[0-9a-fA-F:.]+)$/, 'expected self or an address')
      .default('self'),
    attributes: z
      .string()
      .regex(/^[^\n;]*$/, 'must not contain ; or line breaks')
      .default(''),
    ack: boolean.default(true),
    'ack-timeout': positiveDuration.default(5000),
  })
  .strict()

const dampeningSchema = z
  .object({
    penalty: integer(1, 1_000_000).default(1000),
    suppress: integer(1, 10_000_000).default(2000),
    reuse: integer(1, 10_000_000).default(750),
    'half-life': positiveDuration.default(30_000),
    'max-suppress': positiveDuration.default(300_000),
  })
  .strict()

const timingFields = {
  interval: positiveDuration.optional(),
  'fast-interval': positiveDuration.optional(),
  timeout: positiveDuration.optional(),
  tries: integer(1, 10).optional(),
  rise: integer(1, 100).optional(),
  fall: integer(1, 100).optional(),
}

const serviceSchema = z
  .object({
    prefix: z.array(z.string()).default([]),
    interface: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,15}$/, 'expected an interface name')
      .default('lo'),
    address: oneOf(['static', 'dynamic', 'unmanaged']).default('static'),
    require: require.default({ mode: 'all' }),
    'bird-protocol': birdIdentifier.optional(),
    'drain-file': path.optional(),
    ...timingFields,
  })
  .strict()

const checkTypeFields = {
  dns: {
    target: address.optional(),
    port: integer(1, 65535).default(53),
    transport: oneOf(['udp', 'tcp']).default('udp'),
    qname: z
      .string()
      .regex(/^(\.|([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?)$/, 'expected a domain name'),
    qtype: fromTable('DNS type', dnsTypeCode).default(6),
    qclass: fromTable('DNS class', dnsClassCode).default(1),
    'expect-rcode': rcodes.default([0]),
    'expect-answer': boolean.default(false),
    recursion: boolean.default(false),
    source: source.default({ kind: 'target' }),
  },
  tcp: { target: address.optional(), port: integer(1, 65535), source: source.default({ kind: 'target' }) },
  udp: {
    target: address.optional(),
    port: integer(1, 65535),
    payload: z.string().default(''),
    source: source.default({ kind: 'target' }),
  },
  http: {
    url: z.string().regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL'),
    'expect-status': statusRanges.default([[200, 299]]),
    'expect-body': z.string().optional(),
    source: source.default({ kind: 'none' }),
  },
  command: { command: z.string().min(1, 'must not be empty') },
  address: { interface: z.string().optional(), addresses: z.array(z.string()).optional() },
} as const

type CheckType = keyof typeof checkTypeFields
const checkTypes = Object.keys(checkTypeFields) as CheckType[]

/** Keys that may appear more than once; their values are collected in order. */
const repeatableKeys = new Set(['prefix', 'addresses'])

// ----------------------------------------------------------------------- reading ---

interface Reader {
  readonly file: string
  readonly errors: ParseError[]
}

function headerText(section: IniSection): string {
  return `[${[section.kind, ...section.args].join(' ')}]`
}

function lineOfKey(section: IniSection, key: string): number {
  return section.entries.find((entry) => entry.key === key)?.line ?? section.line
}

/** Validates one section against its schema; undefined (and errors recorded) when it does not fit. */
function readSection<T extends z.ZodType>(
  reader: Reader,
  section: IniSection,
  schema: T,
): z.output<T> | undefined {
  const raw: Record<string, string | string[]> = {}
  for (const entry of section.entries) {
    if (repeatableKeys.has(entry.key)) {
      const list = (raw[entry.key] as string[] | undefined) ?? []
      list.push(...entry.value.split(/\s+/).filter(Boolean))
      raw[entry.key] = list
    } else if (entry.key in raw) {
      reader.errors.push(
        new ParseError(reader.file, entry.line, `'${entry.key}' is set twice in ${headerText(section)}`),
      )
    } else {
      raw[entry.key] = entry.value
    }
  }
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  const offending = new Set<string>()
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        offending.add(key)
        reader.errors.push(
          new ParseError(
            reader.file,
            lineOfKey(section, key),
            `unknown key '${key}' in ${headerText(section)}`,
          ),
        )
      }
      continue
    }
    const key = String(issue.path[0] ?? '')
    offending.add(key)
    if (!(key in raw)) {
      reader.errors.push(new ParseError(reader.file, section.line, `${headerText(section)} needs '${key}'`))
      continue
    }
    reader.errors.push(new ParseError(reader.file, lineOfKey(section, key), `${key}: ${issue.message}`))
  }
  // The config is rejected already; reading on with defaults for the bad keys lets the sections
  // that refer to this one be checked too, instead of failing as "no such section".
  const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !offending.has(key)))
  const retry = schema.safeParse(rest)
  return retry.success ? retry.data : undefined
}

function timingOf(
  values: Partial<Record<keyof typeof timingFields, number | undefined>>,
  base: CheckTiming,
): CheckTiming {
  return {
    interval: values.interval ?? base.interval,
    fastInterval: values['fast-interval'] ?? Math.min(base.fastInterval, values.interval ?? base.interval),
    timeout: values.timeout ?? base.timeout,
    tries: values.tries ?? base.tries,
    rise: values.rise ?? base.rise,
    fall: values.fall ?? base.fall,
  }
}

interface PendingService {
  readonly section: IniSection
  readonly values: z.output<typeof serviceSchema>
  readonly prefixes: IpPrefix[]
  readonly timing: CheckTiming
  readonly checks: CheckConfig[]
  /** Check sections naming this service, valid or not. */
  checkSections: number
}

/** The address a dns/tcp/udp check aims at when `target` is not set: the service's first host prefix. */
function defaultTarget(service: PendingService): string | undefined {
  return service.prefixes.find((prefix) => prefix.length === (prefix.family === 4 ? 32 : 128))?.address
}

function readCheck(reader: Reader, section: IniSection, service: PendingService): CheckConfig | undefined {
  const typeEntry = section.entries.find((entry) => entry.key === 'type')
  const type = typeEntry?.value as CheckType | undefined
  if (!typeEntry || !type || !checkTypes.includes(type)) {
    reader.errors.push(
      new ParseError(
        reader.file,
        typeEntry?.line ?? section.line,
        typeEntry
          ? `type: expected one of ${checkTypes.join(', ')}, not '${typeEntry.value}'`
          : `${headerText(section)} needs 'type' (${checkTypes.join(', ')})`,
      ),
    )
    return undefined
  }
  const schema = z.object({ type: z.string(), ...timingFields, ...checkTypeFields[type] }).strict()
  const values = readSection(reader, section, schema) as Record<string, unknown> | undefined
  if (!values) return undefined
  const timing = timingOf(values as Parameters<typeof timingOf>[0], service.timing)
  const probe = probeOf(reader, section, type, values, service)
  if (!probe) return undefined
  return {
    service: service.section.args[0] ?? '',
    name: section.args[1] ?? '',
    line: section.line,
    timing,
    probe,
  }
}

function probeOf(
  reader: Reader,
  section: IniSection,
  type: CheckType,
  values: Record<string, unknown>,
  service: PendingService,
): ProbeConfig | undefined {
  const targetOf = (): string | undefined => {
    const target = (values.target as string | undefined) ?? defaultTarget(service)
    if (target === undefined) {
      reader.errors.push(
        new ParseError(
          reader.file,
          section.line,
          `${headerText(section)} needs 'target': service ${service.section.args[0]} has no /32 or /128 prefix to aim at`,
        ),
      )
    }
    return target
  }
  switch (type) {
    case 'dns': {
      const target = targetOf()
      if (target === undefined) return undefined
      return {
        type,
        target,
        port: values.port as number,
        transport: values.transport as 'udp' | 'tcp',
        qname: values.qname as string,
        qtype: values.qtype as number,
        qclass: values.qclass as number,
        expectRcodes: values['expect-rcode'] as number[],
        expectAnswer: values['expect-answer'] as boolean,
        recursion: values.recursion as boolean,
        source: values.source as SourceBinding,
      }
    }
    case 'tcp':
    case 'udp': {
      const target = targetOf()
      if (target === undefined) return undefined
      const common = { target, port: values.port as number, source: values.source as SourceBinding }
      return type === 'tcp' ? { type, ...common } : { type, ...common, payload: values.payload as string }
    }
    case 'http':
      return {
        type,
        url: values.url as string,
        expectStatus: values['expect-status'] as [number, number][],
        expectBody: values['expect-body'] as string | undefined,
        source: values.source as SourceBinding,
      }
    case 'command':
      return { type, command: values.command as string }
    case 'address': {
      const listed = values.addresses as string[] | undefined
      const addresses: IpPrefix[] = []
      for (const text of listed ?? []) {
        try {
          addresses.push(parsePrefix(text))
        } catch (error) {
          reader.errors.push(
            new ParseError(reader.file, lineOfKey(section, 'addresses'), (error as Error).message),
          )
          return undefined
        }
      }
      return {
        type,
        interface: (values.interface as string | undefined) ?? service.values.interface,
        addresses: listed ? addresses : service.prefixes,
      }
    }
  }
}

const singletonKinds = ['daemon', 'bird', 'exabgp', 'dampening'] as const

/** Validates a parsed document; returns the config or every error found. */
function readAnycastConfig(document: IniDocument): { config?: AnycastConfig; errors: ParseError[] } {
  const reader: Reader = { file: document.file, errors: [] }
  const seen = new Map<string, IniSection>()
  const services = new Map<string, PendingService>()
  const checkSections: IniSection[] = []
  const singletons: Partial<Record<(typeof singletonKinds)[number], IniSection>> = {}

  for (const section of document.sections) {
    const key = [section.kind, ...section.args].join(' ')
    const earlier = seen.get(key)
    if (earlier) {
      reader.errors.push(
        new ParseError(
          reader.file,
          section.line,
          `${headerText(section)} repeats the section of line ${earlier.line}`,
        ),
      )
      continue
    }
    seen.set(key, section)
    const singleton = singletonKinds.find((kind) => kind === section.kind)
    if (singleton) {
      if (section.args.length > 0) {
        reader.errors.push(new ParseError(reader.file, section.line, `[${section.kind}] takes no name`))
      }
      singletons[singleton] = section
    } else if (section.kind === 'service') {
      if (section.args.length !== 1 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(section.args[0] ?? '')) {
        reader.errors.push(
          new ParseError(reader.file, section.line, 'expected [service NAME] (letters, digits, . _ -)'),
        )
        continue
      }
      const values = readSection(reader, section, serviceSchema)
      if (!values) continue
      const prefixes: IpPrefix[] = []
      for (const text of values.prefix) {
        try {
          prefixes.push(parsePrefix(text))
        } catch (error) {
          if (!(error instanceof PrefixError)) throw error
          reader.errors.push(new ParseError(reader.file, prefixLine(section, text), error.message))
        }
      }
      if (values.prefix.length === 0) {
        reader.errors.push(
          new ParseError(reader.file, section.line, `${headerText(section)} needs at least one 'prefix'`),
        )
      }
      const timing = timingOf(values, defaultTiming)
      services.set(section.args[0] ?? '', { section, values, prefixes, timing, checks: [], checkSections: 0 })
    } else if (section.kind === 'check') {
      checkSections.push(section)
    } else {
      reader.errors.push(
        new ParseError(
          reader.file,
          section.line,
          `unknown section ${headerText(section)} (expected daemon, bird, exabgp, dampening, service NAME or check SERVICE NAME)`,
        ),
      )
    }
  }

  for (const section of checkSections) {
    if (section.args.length !== 2 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(section.args[1] ?? '')) {
      reader.errors.push(new ParseError(reader.file, section.line, 'expected [check SERVICE NAME]'))
      continue
    }
    const service = services.get(section.args[0] ?? '')
    if (!service) {
      reader.errors.push(
        new ParseError(
          reader.file,
          section.line,
          `${headerText(section)} names service '${section.args[0]}', which has no [service] section`,
        ),
      )
      continue
    }
    service.checkSections++
    const check = readCheck(reader, section, service)
    if (check) service.checks.push(check)
  }

  const empty = (kind: string): IniSection => ({ kind, args: [], line: 0, entries: [] })
  const daemonValues = readSection(reader, singletons.daemon ?? empty('daemon'), daemonSchema)
  const birdValues = readSection(reader, singletons.bird ?? empty('bird'), birdSchema)
  const exabgpValues = readSection(reader, singletons.exabgp ?? empty('exabgp'), exabgpSchema)
  const dampeningValues = readSection(reader, singletons.dampening ?? empty('dampening'), dampeningSchema)

  if (daemonValues) {
    const unused = daemonValues.backend === 'bird' ? singletons.exabgp : singletons.bird
    if (unused) {
      reader.errors.push(
        new ParseError(
          reader.file,
          unused.line,
          `[${unused.kind}] is not used with backend = ${daemonValues.backend}`,
        ),
      )
    }
    if (daemonValues['retry-min'] > daemonValues['retry-max']) {
      reader.errors.push(
        new ParseError(
          reader.file,
          lineOfKey(singletons.daemon ?? empty('daemon'), 'retry-min'),
          'retry-min is longer than retry-max',
        ),
      )
    }
  }
  if (dampeningValues && dampeningValues.reuse >= dampeningValues.suppress) {
    reader.errors.push(
      new ParseError(
        reader.file,
        lineOfKey(singletons.dampening ?? empty('dampening'), 'reuse'),
        'reuse must be below suppress',
      ),
    )
  }
  if (services.size === 0 && reader.errors.length === 0) {
    reader.errors.push(new ParseError(reader.file, 1, 'no [service NAME] section: nothing to announce'))
  }

  const owners = new Map<string, string>()
  for (const [name, service] of services) {
    validateService(reader, name, service, daemonValues?.backend, owners)
  }

  if (reader.errors.length > 0 || !daemonValues || !birdValues || !exabgpValues || !dampeningValues) {
    return { errors: reader.errors.sort((a, b) => a.line - b.line) }
  }
  const daemon: DaemonSettings = {
    backend: daemonValues.backend,
    controlSocket: daemonValues['control-socket'],
    drainFile: daemonValues['drain-file'],
    drainPoll: daemonValues['drain-poll'],
    metricsListen: daemonValues['metrics-listen'],
    logLevel: daemonValues['log-level'],
    withdrawOnShutdown: daemonValues['withdraw-on-shutdown'],
    shutdownTimeout: daemonValues['shutdown-timeout'],
    resync: daemonValues.resync,
    retryMin: daemonValues['retry-min'],
    retryMax: daemonValues['retry-max'],
    splaySeed: daemonValues['splay-seed'],
  }
  return {
    errors: [],
    config: {
      file: document.file,
      daemon,
      bird: {
        socket: birdValues.socket,
        includeFile: birdValues['include-file'],
        functionName: birdValues.function,
        confirmProtocols: birdValues['confirm-protocols'].split(/[\s,]+/).filter(Boolean),
        timeout: birdValues.timeout,
        coalesce: birdValues.coalesce,
        confirmTimeout: birdValues['confirm-timeout'],
      },
      exabgp: {
        nextHop: exabgpValues['next-hop'],
        attributes: exabgpValues.attributes,
        ack: exabgpValues.ack,
        ackTimeout: exabgpValues['ack-timeout'],
      },
      dampening: {
        penalty: dampeningValues.penalty,
        suppress: dampeningValues.suppress,
        reuse: dampeningValues.reuse,
        halfLife: dampeningValues['half-life'],
        maxSuppress: dampeningValues['max-suppress'],
      },
      services: [...services].map(([name, service]) => ({
        name,
        line: service.section.line,
        prefixes: service.prefixes,
        interface: service.values.interface,
        address: service.values.address,
        require: service.values.require,
        birdProtocol: service.values['bird-protocol'],
        drainFile: service.values['drain-file'] ?? `${daemon.drainFile}.${name}`,
        checks: service.checks,
      })),
    },
  }
}

function prefixLine(section: IniSection, text: string): number {
  return (
    section.entries.find((entry) => entry.key === 'prefix' && entry.value.split(/\s+/).includes(text))
      ?.line ?? section.line
  )
}

function validateService(
  reader: Reader,
  name: string,
  service: PendingService,
  backend: 'bird' | 'exabgp' | undefined,
  owners: Map<string, string>,
): void {
  const { section, values } = service
  const fail = (line: number, message: string) =>
    reader.errors.push(new ParseError(reader.file, line, message))
  for (const prefix of service.prefixes) {
    const owner = owners.get(prefix.text)
    if (owner)
      fail(prefixLine(section, prefix.text), `${prefix.text} is already a prefix of service ${owner}`)
    owners.set(prefix.text, name)
  }
  if (service.checkSections === 0) {
    fail(section.line, `service ${name} has no [check ${name} NAME] section: it would never be announced`)
  }
  if (values.require.mode === 'quorum' && values.require.count > service.checkSections) {
    fail(
      lineOfKey(section, 'require'),
      `quorum ${values.require.count} needs at least ${values.require.count} checks; service ${name} has ${service.checkSections}`,
    )
  }
  if (values['bird-protocol'] && backend === 'exabgp') {
    fail(lineOfKey(section, 'bird-protocol'), 'bird-protocol is only used with backend = bird')
  }
  for (const check of service.checks) {
    if (check.timing.fastInterval > check.timing.interval) {
      fail(
        check.line,
        `fast-interval (${check.timing.fastInterval}ms) is longer than interval (${check.timing.interval}ms)`,
      )
    }
    const target = 'target' in check.probe ? check.probe.target : undefined
    // A removed address would make the check fail for good, so the service could never come back.
    if (
      values.address === 'dynamic' &&
      target &&
      service.prefixes.some((prefix) => prefix.address === target)
    ) {
      fail(
        check.line,
        `check ${check.name} aims at ${target}, which address = dynamic removes while the service is down: aim it at another local address (e.g. the maintenance IP)`,
      )
    }
  }
}

/** Parses and validates config text. */
export function parseAnycastConfig(
  text: string,
  file: string,
): { config?: AnycastConfig; errors: ParseError[] } {
  const { document, errors } = parseIniDocument(text, file)
  const result = readAnycastConfig(document)
  return result.config && errors.length === 0
    ? result
    : { errors: [...errors, ...result.errors].sort((a, b) => a.line - b.line) }
}

/** Reads, parses and validates the config file; throws AnycastConfigError listing every problem. */
export async function loadAnycastConfig(file: string): Promise<AnycastConfig> {
  const text = await readFile(file, 'utf8')
  const { config, errors } = parseAnycastConfig(text, file)
  if (!config) throw new AnycastConfigError(errors)
  return config
}
