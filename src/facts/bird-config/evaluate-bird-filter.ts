/**
 * @module
 * Runs a BIRD filter, function or `where` condition on one route, symbolically: the route's
 * `net`, `proto`, `source` and `ifname` are known, everything else (BGP attributes, `case`,
 * loops, unknown built-ins) is unknown. A condition that cannot be decided runs both branches,
 * so the answer is accept, reject, or unknown (some paths accept, some reject). This is enough to
 * tell which prefixes a BGP channel exports without running BIRD, and it says which functions
 * and constants the decision consulted.
 */
import { BlockList } from 'node:net'
import { type IpPrefix, PrefixError, parsePrefix } from '../../anycast/ip-prefix.ts'
import { type BirdStatement, isBlock, isToken } from './parse-bird-statements.ts'
import type { BirdDeclarations, BirdFilterPolicy, BirdLocation } from './read-bird-declarations.ts'
import type { BirdToken } from './tokenize-bird-config.ts'

export interface BirdRoute {
  net: IpPrefix
  /** Name of the protocol the route came from (`proto`). */
  proto: string
  /** `RTS_STATIC`, `RTS_DEVICE`, … (`source`). */
  source: string
  ifname?: string
}

export type FilterVerdict = 'accept' | 'reject' | 'unknown'

export interface FilterResult {
  verdict: FilterVerdict
  /** Functions and constants the run consulted, with where they are declared. */
  consulted: (BirdLocation & { name: string })[]
}

export interface EvaluationOptions {
  /**
   * Functions whose current body is only a snapshot of changing state (the anycast daemon's
   * include file): a call returns whether `net` is one of these prefixes, whatever the body says.
   */
  gates?: ReadonlyMap<string, readonly IpPrefix[]>
}

interface PrefixPattern {
  prefix: IpPrefix
  low: number
  high: number
}

type Value =
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'prefix'; value: IpPrefix }
  | { kind: 'ip'; value: string; family: 4 | 6 }
  | { kind: 'constant'; value: string }
  | { kind: 'set'; patterns: PrefixPattern[]; others: Value[] }
  | { kind: 'unknown' }

const unknown: Value = { kind: 'unknown' }

type Outcome =
  | { kind: 'accept' }
  | { kind: 'reject' }
  | { kind: 'return'; value: Value }
  | { kind: 'next' }
  | { kind: 'unknown' }

/** Paths explored per evaluation before giving up with unknown. */
const maxPaths = 4096
const maxCallDepth = 32

const precedence: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '=': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '~': 3,
  '!~': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128
}

/** True when `outer` contains the address `inner` (same family). */
export function prefixContainsAddress(outer: IpPrefix, address: string, family: 4 | 6): boolean {
  if (outer.family !== family) return false
  const list = new BlockList()
  const type = family === 4 ? 'ipv4' : 'ipv6'
  list.addSubnet(outer.address, outer.length, type)
  return list.check(address, type)
}

function patternMatches(pattern: PrefixPattern, net: IpPrefix): boolean {
  if (net.family !== pattern.prefix.family || net.length < pattern.low || net.length > pattern.high)
    return false
  // The first min(pattern length, net length) bits must agree.
  const common = Math.min(pattern.prefix.length, net.length)
  const shorter = { ...pattern.prefix, length: common }
  return prefixContainsAddress(shorter, net.address, net.family)
}

function valueKey(value: Value): string {
  switch (value.kind) {
    case 'prefix':
      return `prefix:${value.value.text}`
    case 'set':
      return `set:${value.patterns.map((p) => `${p.prefix.text}{${p.low},${p.high}}`).join(',')}`
    case 'unknown':
      return 'unknown'
    default:
      return `${value.kind}:${String(value.value)}`
  }
}

class Evaluator {
  private paths = 0
  readonly consulted = new Map<string, BirdLocation & { name: string }>()
  private readonly defineCache = new Map<string, Value>()

  constructor(
    private readonly declarations: BirdDeclarations,
    private readonly route: BirdRoute,
    private readonly options: EvaluationOptions,
  ) {}

  // ------------------------------------------------------------------ statements ---

  /** All outcomes of running `statements` from `index` on. */
  runList(
    statements: readonly BirdStatement[],
    index: number,
    scope: Map<string, Value>,
    depth: number,
  ): Outcome[] {
    if (index >= statements.length) return [{ kind: 'next' }]
    if (++this.paths > maxPaths) return [{ kind: 'unknown' }]
    const statement = statements[index] as BirdStatement
    let elsePart: BirdStatement | undefined
    let next = index + 1
    const following = statements[next]
    if (isToken(statement.items[0], 'if') && following && isToken(following.items[0], 'else')) {
      elsePart = following
      next++
    }
    const outcomes: Outcome[] = []
    for (const outcome of this.runStatement(statement, elsePart, scope, depth)) {
      if (outcome.kind === 'next') outcomes.push(...this.runList(statements, next, scope, depth))
      else outcomes.push(outcome)
    }
    return outcomes
  }

  private runItems(items: BirdStatement['items'], scope: Map<string, Value>, depth: number): Outcome[] {
    if (items.length === 0) return [{ kind: 'next' }]
    const [first] = items
    if (isBlock(first) && items.length === 1) return this.runList(first.statements, 0, scope, depth)
    if (!isToken(first)) return [{ kind: 'unknown' }]
    return this.runStatement({ items, first }, undefined, scope, depth)
  }

  private runStatement(
    statement: BirdStatement,
    elsePart: BirdStatement | undefined,
    scope: Map<string, Value>,
    depth: number,
  ): Outcome[] {
    const { items } = statement
    const [head] = items
    if (isBlock(head)) return this.runItems(items, scope, depth)
    if (!isToken(head)) return [{ kind: 'next' }]
    switch (head.text) {
      case 'accept':
        return [{ kind: 'accept' }]
      case 'reject':
        return [{ kind: 'reject' }]
      case 'return': {
        const tokens = items.slice(1).filter((item): item is BirdToken => isToken(item))
        return [{ kind: 'return', value: this.evaluate(tokens, scope, depth) }]
      }
      case 'if': {
        const thenIndex = items.findIndex((item) => isToken(item, 'then'))
        if (thenIndex === -1) return [{ kind: 'unknown' }]
        const condition = items.slice(1, thenIndex).filter((item): item is BirdToken => isToken(item))
        const rest = items.slice(thenIndex + 1)
        const elseIndex = rest.findIndex((item, i) => isToken(item, 'else') && i > 0 && isBlock(rest[i - 1]))
        const thenItems = elseIndex === -1 ? rest : rest.slice(0, elseIndex)
        const elseItems = elseIndex === -1 ? (elsePart?.items.slice(1) ?? []) : rest.slice(elseIndex + 1)
        const value = this.evaluate(condition, scope, depth)
        if (value.kind === 'bool') return this.runItems(value.value ? thenItems : elseItems, scope, depth)
        return [...this.runItems(thenItems, scope, depth), ...this.runItems(elseItems, scope, depth)]
      }
      case 'else':
        // An else whose if was not the statement before (BIRD would refuse it).
        return [{ kind: 'unknown' }]
      case 'case':
      case 'for':
        return [{ kind: 'unknown' }]
      default:
        // print, assignments, bgp_path.prepend(…), local variable declarations: no decision.
        return [{ kind: 'next' }]
    }
  }

  // ----------------------------------------------------------------- expressions ---

  evaluate(tokens: readonly BirdToken[], scope: Map<string, Value>, depth: number): Value {
    const parser = new ExpressionParser(tokens, this, scope, depth)
    const value = parser.expression(0)
    return parser.done() ? value : unknown
  }

  symbol(name: string, scope: Map<string, Value>, depth: number): Value {
    const local = scope.get(name)
    if (local) return local
    switch (name) {
      case 'net':
        return { kind: 'prefix', value: this.route.net }
      case 'proto':
        return { kind: 'string', value: this.route.proto }
      case 'source':
        return { kind: 'constant', value: this.route.source }
      case 'ifname':
        return this.route.ifname === undefined ? unknown : { kind: 'string', value: this.route.ifname }
      case 'true':
        return { kind: 'bool', value: true }
      case 'false':
        return { kind: 'bool', value: false }
    }
    const define = this.declarations.defines.get(name)
    if (define) {
      this.consulted.set(name, { name, file: define.at.file, line: define.at.line })
      let value = this.defineCache.get(name)
      if (!value) {
        this.defineCache.set(name, unknown)
        value = this.evaluate(define.value, new Map(), depth + 1)
        this.defineCache.set(name, value)
      }
      return value
    }
    // RTS_STATIC, NET_IP4, …: enum constants compare by name.
    if (/^[A-Z][A-Z0-9_]*$/.test(name)) return { kind: 'constant', value: name }
    return unknown
  }

  call(name: string, args: Value[], depth: number): Value {
    const gate = this.options.gates?.get(name)
    const declared = this.declarations.functions.get(name)
    if (declared) this.consulted.set(name, { name, file: declared.at.file, line: declared.at.line })
    if (gate) {
      return { kind: 'bool', value: gate.some((prefix) => prefix.text === this.route.net.text) }
    }
    if (!declared || depth > maxCallDepth) return unknown
    const scope = new Map<string, Value>()
    declared.params.forEach((param, index) => {
      scope.set(param, args[index] ?? unknown)
    })
    const outcomes = this.runList(declared.body, 0, scope, depth + 1)
    const values = outcomes.map((outcome) => (outcome.kind === 'return' ? outcome.value : unknown))
    const [first] = values
    return first && values.every((value) => valueKey(value) === valueKey(first)) ? first : unknown
  }
}

/** Pratt parser over one expression's tokens, evaluating as it goes. */
class ExpressionParser {
  private index = 0

  constructor(
    private readonly tokens: readonly BirdToken[],
    private readonly evaluator: Evaluator,
    private readonly scope: Map<string, Value>,
    private readonly depth: number,
  ) {}

  done(): boolean {
    return this.index === this.tokens.length
  }

  private peek(offset = 0): BirdToken | undefined {
    return this.tokens[this.index + offset]
  }

  private take(): BirdToken | undefined {
    return this.tokens[this.index++]
  }

  private accept(text: string): boolean {
    if (this.peek()?.text !== text || this.peek()?.kind === 'string') return false
    this.index++
    return true
  }

  /** Skips a balanced (…) or […] group starting at the current token. */
  private skipGroup(): void {
    const open = this.take()?.text
    const close = open === '(' ? ')' : ']'
    let depth = 1
    while (depth > 0 && this.index < this.tokens.length) {
      const token = this.take() as BirdToken
      if (token.kind !== 'punct') continue
      if (token.text === open) depth++
      else if (token.text === close) depth--
    }
  }

  expression(minimum: number): Value {
    let left = this.unary()
    for (;;) {
      const operator = this.peek()
      const strength = operator?.kind === 'punct' ? precedence[operator.text] : undefined
      if (!operator || strength === undefined || strength <= minimum) return left
      this.index++
      // BIRD short-circuits && and ||: what the skipped side would consult does not count.
      const decided =
        left.kind === 'bool' &&
        ((operator.text === '&&' && !left.value) || (operator.text === '||' && left.value))
      const before = decided ? new Set(this.evaluator.consulted.keys()) : undefined
      const right = this.expression(strength)
      if (before)
        for (const name of this.evaluator.consulted.keys())
          if (!before.has(name)) this.evaluator.consulted.delete(name)
      left = binary(operator.text, left, right)
    }
  }

  private unary(): Value {
    if (this.accept('!')) {
      const value = this.unary()
      return value.kind === 'bool' ? { kind: 'bool', value: !value.value } : unknown
    }
    if (this.accept('-')) {
      const value = this.unary()
      return value.kind === 'int' ? { kind: 'int', value: -value.value } : unknown
    }
    return this.postfix(this.primary())
  }

  private postfix(base: Value): Value {
    let value = base
    while (this.peek()?.text === '.' && this.peek()?.kind === 'punct') {
      this.index++
      const member = this.take()?.text
      if (this.peek()?.text === '(') {
        // Methods (mask(), prepend(), add(), …) are not evaluated.
        this.skipGroup()
        value = unknown
        continue
      }
      if (value.kind === 'prefix' && member === 'len') value = { kind: 'int', value: value.value.length }
      else if (value.kind === 'prefix' && member === 'ip')
        value = { kind: 'ip', value: value.value.address, family: value.value.family }
      else value = unknown
    }
    return value
  }

  private address(token: BirdToken): Value {
    const family = token.kind === 'ipv4' ? 4 : 6
    if (this.peek()?.text === '/' && this.peek(1)?.kind === 'number') {
      this.index++
      const length = this.take()?.text ?? ''
      try {
        return { kind: 'prefix', value: parsePrefix(`${token.text}/${length}`) }
      } catch (error) {
        if (error instanceof PrefixError) return unknown
        throw error
      }
    }
    try {
      return { kind: 'ip', value: parsePrefix(token.text).address, family }
    } catch (error) {
      if (error instanceof PrefixError) return unknown
      throw error
    }
  }

  private primary(): Value {
    const token = this.take()
    if (!token) return unknown
    switch (token.kind) {
      case 'number':
        return { kind: 'int', value: Number(token.text) }
      case 'string':
        return { kind: 'string', value: token.text }
      case 'ipv4':
      case 'ipv6':
        return this.address(token)
      case 'punct':
        if (token.text === '(') {
          const value = this.expression(0)
          if (this.accept(')')) return value
          // A pair or quad such as (64500, 53).
          this.index--
          while (this.index < this.tokens.length && this.take()?.text !== ')');
          return unknown
        }
        if (token.text === '[') return this.set()
        if (token.text === '[=') {
          this.index--
          this.skipBgpPath()
          return unknown
        }
        return unknown
      case 'symbol': {
        if (this.peek()?.text === '(' && this.peek()?.kind === 'punct') {
          const args = this.arguments()
          return this.evaluator.call(token.text, args, this.depth)
        }
        return this.evaluator.symbol(token.text, this.scope, this.depth)
      }
    }
  }

  private skipBgpPath(): void {
    while (this.index < this.tokens.length && this.take()?.text !== '=]');
  }

  private arguments(): Value[] {
    this.index++
    const args: Value[] = []
    if (this.accept(')')) return args
    for (;;) {
      args.push(this.expression(0))
      if (this.accept(',')) continue
      if (!this.accept(')')) {
        while (this.index < this.tokens.length && this.take()?.text !== ')');
      }
      return args
    }
  }

  /** `[ 192.0.2.0/24+, 198.51.100.0/24{25,32}, 5, 7..9 ]` */
  private set(): Value {
    const patterns: PrefixPattern[] = []
    const others: Value[] = []
    let exact = true
    for (;;) {
      if (this.accept(']')) break
      const token = this.peek()
      if (!token) return unknown
      if ((token.kind === 'ipv4' || token.kind === 'ipv6') && this.peek(1)?.text === '/') {
        this.index++
        const element = this.address(token)
        if (element.kind !== 'prefix') return unknown
        const prefix = element.value
        const max = bits(prefix.family)
        if (this.accept('+')) patterns.push({ prefix, low: prefix.length, high: max })
        else if (this.accept('-')) patterns.push({ prefix, low: 0, high: prefix.length })
        else if (this.accept('{')) {
          const low = Number(this.take()?.text)
          this.accept(',')
          const high = Number(this.take()?.text)
          this.accept('}')
          patterns.push({ prefix, low, high })
        } else patterns.push({ prefix, low: prefix.length, high: prefix.length })
      } else {
        const value = this.expression(0)
        if (this.accept('..')) {
          this.expression(0)
          exact = false
        } else others.push(value)
      }
      if (!this.accept(',') && this.peek()?.text !== ']') return unknown
    }
    return exact ? { kind: 'set', patterns, others } : unknown
  }
}

function binary(operator: string, left: Value, right: Value): Value {
  if (operator === '&&') {
    if ((left.kind === 'bool' && !left.value) || (right.kind === 'bool' && !right.value)) return bool(false)
    return left.kind === 'bool' && right.kind === 'bool' ? bool(true) : unknown
  }
  if (operator === '||') {
    if ((left.kind === 'bool' && left.value) || (right.kind === 'bool' && right.value)) return bool(true)
    return left.kind === 'bool' && right.kind === 'bool' ? bool(false) : unknown
  }
  if (left.kind === 'unknown' || right.kind === 'unknown') return unknown
  switch (operator) {
    case '=':
    case '!=': {
      if (left.kind !== right.kind || left.kind === 'set') return unknown
      const same = valueKey(left) === valueKey(right)
      return bool(operator === '=' ? same : !same)
    }
    case '<':
    case '>':
    case '<=':
    case '>=': {
      if (left.kind !== 'int' || right.kind !== 'int') return unknown
      const a = left.value
      const b = right.value
      return bool(operator === '<' ? a < b : operator === '>' ? a > b : operator === '<=' ? a <= b : a >= b)
    }
    case '~':
    case '!~': {
      const matched = matches(left, right)
      if (matched === undefined) return unknown
      return bool(operator === '~' ? matched : !matched)
    }
    case '+':
    case '-':
    case '*':
    case '/':
      if (left.kind !== 'int' || right.kind !== 'int') return unknown
      return {
        kind: 'int',
        value:
          operator === '+'
            ? left.value + right.value
            : operator === '-'
              ? left.value - right.value
              : operator === '*'
                ? left.value * right.value
                : Math.trunc(left.value / right.value),
      }
    default:
      return unknown
  }
}

function bool(value: boolean): Value {
  return { kind: 'bool', value }
}

function matches(left: Value, right: Value): boolean | undefined {
  if (right.kind === 'set') {
    if (left.kind === 'prefix') return right.patterns.some((pattern) => patternMatches(pattern, left.value))
    if (right.others.some((other) => other.kind === 'unknown')) return undefined
    if (left.kind === 'ip') {
      return right.patterns.some((pattern) => prefixContainsAddress(pattern.prefix, left.value, left.family))
    }
    return right.others.some((other) => valueKey(other) === valueKey(left))
  }
  if (right.kind === 'prefix') {
    if (left.kind === 'prefix') {
      return (
        left.value.length >= right.value.length &&
        prefixContainsAddress(right.value, left.value.address, left.value.family)
      )
    }
    if (left.kind === 'ip') return prefixContainsAddress(right.value, left.value, left.family)
  }
  if (left.kind === 'string' && right.kind === 'string') {
    // Shell-like pattern: * and ? only.
    const pattern = right.value
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')
    return new RegExp(`^${pattern}$`).test(left.value)
  }
  return undefined
}

function verdictOf(outcomes: Outcome[]): FilterVerdict {
  // Running off the end of a filter rejects the route (BIRD: "did not return accept nor reject").
  const verdicts = new Set(
    outcomes.map((outcome) =>
      outcome.kind === 'accept' ? 'accept' : outcome.kind === 'unknown' ? 'unknown' : 'reject',
    ),
  )
  return verdicts.size === 1 ? ([...verdicts][0] as FilterVerdict) : 'unknown'
}

/** Runs a channel's import or export policy on a route. An absent policy is `defaultKind`. */
export function evaluatePolicy(
  policy: BirdFilterPolicy | undefined,
  defaultKind: 'all' | 'none',
  route: BirdRoute,
  declarations: BirdDeclarations,
  options: EvaluationOptions = {},
): FilterResult {
  const evaluator = new Evaluator(declarations, route, options)
  const result = (verdict: FilterVerdict): FilterResult => ({
    verdict,
    consulted: [...evaluator.consulted.values()],
  })
  const kind = policy?.kind ?? defaultKind
  if (kind === 'all') return result('accept')
  if (kind === 'none' || !policy) return result('reject')
  switch (policy.kind) {
    case 'where': {
      const value = evaluator.evaluate(policy.condition, new Map(), 0)
      return result(value.kind === 'bool' ? (value.value ? 'accept' : 'reject') : 'unknown')
    }
    case 'inline':
      return result(verdictOf(evaluator.runList(policy.body, 0, new Map(), 0)))
    case 'filter': {
      const filter = declarations.filters.get(policy.name)
      if (!filter) return result('unknown')
      evaluator.consulted.set(policy.name, { name: policy.name, ...filter.at })
      return result(verdictOf(evaluator.runList(filter.body, 0, new Map(), 0)))
    }
    default:
      return result('unknown')
  }
}
