/**
 * @module
 * BIRD 2's configuration as a tree of statements. BIRD's grammar is large, but every construct
 * a check reads has one shape: words, maybe `{ block }`s, ended by `;` or by a block's `}`
 * (`protocol bgp x { … }`, `export filter { … };`, `hold time 9;`). Inside `[ … ]` braces are
 * part of a prefix pattern (`10.0.0.0/8{16,24}`), not blocks. `else` after a block continues the
 * same statement; an `else` after a `;` starts its own, which the filter evaluator joins to the
 * `if` before it.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import type { BirdToken } from './tokenize-bird-config.ts'

export interface BirdBlock {
  open: BirdToken
  statements: BirdStatement[]
  /** Undefined when the file ended before the block was closed. */
  close?: BirdToken
}

export type BirdItem = BirdToken | BirdBlock

export interface BirdStatement {
  /** Tokens and blocks in order, without the final ';'. */
  items: BirdItem[]
  /** The first token: where the statement is. */
  first: BirdToken
  /** The ';' that ended it, when one did. */
  semicolon?: BirdToken
}

export function isBlock(item: BirdItem | undefined): item is BirdBlock {
  return item !== undefined && 'statements' in item
}

export function isToken(item: BirdItem | undefined, text?: string): item is BirdToken {
  return item !== undefined && 'kind' in item && (text === undefined || item.text === text)
}

/** The tokens before the first block: `protocol bgp uplink from base`. */
export function leadingWords(statement: BirdStatement): BirdToken[] {
  const words: BirdToken[] = []
  for (const item of statement.items) {
    if (!isToken(item)) break
    words.push(item)
  }
  return words
}

export function parseBirdStatements(tokens: readonly BirdToken[]): {
  statements: BirdStatement[]
  warnings: ParseWarning[]
} {
  const warnings: ParseWarning[] = []
  let index = 0

  const parseList = (opener: BirdToken | undefined): { statements: BirdStatement[]; close?: BirdToken } => {
    const statements: BirdStatement[] = []
    let items: BirdItem[] = []
    let bracketDepth = 0
    const finish = (semicolon?: BirdToken) => {
      const first = items.find((item) => isToken(item)) ?? (items[0] as BirdBlock | undefined)?.open
      if (first) statements.push({ items, first, ...(semicolon ? { semicolon } : {}) })
      items = []
      bracketDepth = 0
    }
    while (index < tokens.length) {
      const token = tokens[index++] as BirdToken
      if (token.kind === 'punct' && (token.text === '[' || token.text === '[=')) bracketDepth++
      if (token.kind === 'punct' && (token.text === ']' || token.text === '=]'))
        bracketDepth = Math.max(0, bracketDepth - 1)
      if (token.kind === 'punct' && bracketDepth === 0) {
        if (token.text === ';') {
          finish(token)
          continue
        }
        if (token.text === '{') {
          const inner = parseList(token)
          items.push({
            open: token,
            statements: inner.statements,
            ...(inner.close ? { close: inner.close } : {}),
          })
          const next = tokens[index]
          if (next?.kind === 'punct' && next.text === ';') {
            index++
            finish(next)
          } else if (!(next?.kind === 'symbol' && next.text === 'else')) finish()
          continue
        }
        if (token.text === '}') {
          if (opener) {
            finish()
            return { statements, close: token }
          }
          warnings.push({ file: token.file, line: token.line, message: "'}' without a matching '{'" })
          continue
        }
      }
      items.push(token)
    }
    if (opener) {
      warnings.push({
        file: opener.file,
        line: opener.line,
        message: "'{' is never closed (BIRD refuses the file)",
      })
    }
    if (items.length > 0) {
      const last = items[items.length - 1]
      const where = isToken(last) ? last : (items.find((item) => isToken(item)) as BirdToken)
      warnings.push({ file: where.file, line: where.line, message: "statement not ended by ';'" })
      finish()
    }
    return { statements }
  }

  return { statements: parseList(undefined).statements, warnings }
}
