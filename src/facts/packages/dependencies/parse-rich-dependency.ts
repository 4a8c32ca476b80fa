/**
 * @module
 * rpm's boolean ("rich") dependencies, rpm ≥ 4.13: `(A or B)`, `(A and (B or C))`,
 * `(A if B else C)`, `(A unless B)`, `(A with B)`, `(A without B)`. One operator per parenthesis
 * level, repeatable for and/or/with; if/unless take at most one `else`. A simple dependency inside
 * is `name [op version]`, and a name may hold balanced parentheses (`libc.so.6()(64bit)`).
 */
import type { CapabilityRequest, Requirement, VersionRelation } from './unsatisfied-relations.ts'

const relations = new Map<string, VersionRelation>([
  ['<', '<'],
  ['<=', '<='],
  ['=<', '<='],
  ['=', '='],
  ['==', '='],
  ['>=', '>='],
  ['=>', '>='],
  ['>', '>'],
])

const chainable = new Set(['and', 'or', 'with', 'without'])

class RichSyntaxError extends Error {}

class RichParser {
  private at = 0

  constructor(private readonly text: string) {}

  parse(): Requirement {
    const requirement = this.group()
    this.skipSpace()
    if (this.at < this.text.length) this.fail('text after the closing parenthesis')
    return requirement
  }

  private fail(what: string): never {
    throw new RichSyntaxError(`${what} at offset ${this.at}`)
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] as string)) this.at++
  }

  private group(): Requirement {
    this.skipSpace()
    if (this.text[this.at] !== '(') this.fail("expected '('")
    this.at++
    const first = this.term()
    this.skipSpace()
    if (this.text[this.at] === ')') {
      this.at++
      return first
    }
    const operator = this.word()
    if (operator === 'if' || operator === 'unless') {
      const condition = this.term()
      this.skipSpace()
      let otherwise: Requirement | undefined
      if (this.text[this.at] !== ')') {
        if (this.word() !== 'else') this.fail(`expected 'else' or ')' after ${operator}`)
        otherwise = this.term()
        this.skipSpace()
      }
      this.close()
      return { op: operator, body: first, condition, ...(otherwise ? { otherwise } : {}) }
    }
    if (!chainable.has(operator)) this.fail(`unknown operator '${operator}'`)
    const operands = [first, this.term()]
    for (this.skipSpace(); this.text[this.at] !== ')'; this.skipSpace()) {
      if (this.word() !== operator) this.fail(`mixed operators need parentheses (after '${operator}')`)
      operands.push(this.term())
    }
    this.close()
    if (operator === 'with' || operator === 'without') {
      const [first, ...rest] = operands as [Requirement, ...Requirement[]]
      return rest.reduce((left, right) => ({ op: operator, operands: [left, right] }), first)
    }
    return { op: operator as 'and' | 'or', operands }
  }

  private close(): void {
    if (this.text[this.at] !== ')') this.fail("expected ')'")
    this.at++
  }

  private term(): Requirement {
    this.skipSpace()
    if (this.text[this.at] === '(') return this.group()
    const name = this.word()
    if (name === '') this.fail('expected a dependency')
    const capability: CapabilityRequest = { name }
    const before = this.at
    this.skipSpace()
    const relation = relations.get(this.operatorToken())
    if (relation) {
      this.at += this.operatorToken().length
      const version = this.word()
      if (version === '') this.fail(`expected a version after '${relation}'`)
      capability.relation = relation
      capability.version = version
    } else this.at = before
    return { op: 'capability', capability }
  }

  private operatorToken(): string {
    const match = /^[<=>]+/.exec(this.text.slice(this.at))
    return match ? match[0] : ''
  }

  /** A name, operator keyword or version: up to a space or an unbalanced ')'. */
  private word(): string {
    this.skipSpace()
    const start = this.at
    let depth = 0
    for (; this.at < this.text.length; this.at++) {
      const char = this.text[this.at] as string
      if (/\s/.test(char)) break
      if (char === '(') depth++
      else if (char === ')') {
        if (depth === 0) break
        depth--
      }
    }
    return this.text.slice(start, this.at)
  }
}

/** The tree of a rich dependency, or why it is not one rpm would accept. */
export function parseRichDependency(text: string): Requirement | { error: string } {
  try {
    return new RichParser(text).parse()
  } catch (error) {
    if (error instanceof RichSyntaxError) return { error: error.message }
    throw error
  }
}
