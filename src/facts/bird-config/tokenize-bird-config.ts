/**
 * @module
 * BIRD 2's lexical layer (conf/cf-lex.l): `#` line comments and `/* … *\/` block comments,
 * "strings" on one line, IPv4 and IPv6 addresses, numbers, symbols (also 'quoted'), and
 * punctuation. Every token keeps its file, line, column and byte offsets, so a later fix can
 * rewrite one value and leave the rest of the file alone. A prefix (`192.0.2.0/24`) stays three
 * tokens here, as in BIRD's grammar.
 */
import type { ParseWarning } from '../../host/parse-error.ts'

export type BirdTokenKind = 'symbol' | 'number' | 'string' | 'ipv4' | 'ipv6' | 'punct'

export interface BirdToken {
  kind: BirdTokenKind
  /** The value: a string's contents without quotes, a symbol's name, the punctuation itself. */
  text: string
  file: string
  /** 1-based. */
  line: number
  /** 1-based, in characters. */
  column: number
  /** Offset of the first character in the file's text, and one past the last. */
  start: number
  end: number
}

/** Longest first, so `!=` is not read as `!` `=`. */
const punctuation = ['[=', '=]', '!=', '<=', '>=', '&&', '||', '!~', '->', '..', ...'{}()[];,=~!<>+-*/:.?&|%']

const ipv4Pattern = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])/y
/** As cf-lex.l: a run with '::' or at least three ':' separated groups, optionally ending in an IPv4 tail. */
const ipv6Pattern =
  /(?:[0-9a-fA-F]*::|(?:[0-9a-fA-F]*:){3,})(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9a-fA-F]*)(?![\w:])/y
const numberPattern = /0x[0-9a-fA-F]+|\d+/y
const symbolPattern = /[A-Za-z_][A-Za-z0-9_]*/y

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}

export function tokenizeBirdConfig(
  text: string,
  file: string,
): { tokens: BirdToken[]; warnings: ParseWarning[] } {
  const tokens: BirdToken[] = []
  const warnings: ParseWarning[] = []
  let at = 0
  let line = 1
  let lineStart = 0
  const advanceLines = (to: number) => {
    for (let i = at; i < to; i++) {
      if (text[i] === '\n') {
        line++
        lineStart = i + 1
      }
    }
    at = to
  }
  const push = (kind: BirdTokenKind, value: string, length: number) => {
    tokens.push({ kind, text: value, file, line, column: at - lineStart + 1, start: at, end: at + length })
    at += length
  }

  while (at < text.length) {
    const char = text[at] as string
    if (char === '\n' || char === ' ' || char === '\t' || char === '\r' || char === '\f') {
      advanceLines(at + 1)
      continue
    }
    if (char === '#') {
      const end = text.indexOf('\n', at)
      at = end === -1 ? text.length : end
      continue
    }
    if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2)
      if (end === -1) {
        warnings.push({
          file,
          line,
          message: 'comment opened with /* is never closed (BIRD refuses the file)',
        })
        advanceLines(text.length)
        break
      }
      advanceLines(end + 2)
      continue
    }
    if (char === '"' || char === "'") {
      const end = text.indexOf(char, at + 1)
      const newline = text.indexOf('\n', at + 1)
      if (end === -1 || (newline !== -1 && newline < end)) {
        warnings.push({
          file,
          line,
          message: `unterminated ${char === '"' ? 'string' : 'quoted symbol'} (BIRD refuses the file)`,
        })
        at = newline === -1 ? text.length : newline
        continue
      }
      push(char === '"' ? 'string' : 'symbol', text.slice(at + 1, end), end + 1 - at)
      continue
    }
    const ipv6 = /[0-9a-fA-F:]/.test(char) ? matchAt(ipv6Pattern, text, at) : undefined
    if (ipv6) {
      push('ipv6', ipv6, ipv6.length)
      continue
    }
    const ipv4 = /\d/.test(char) ? matchAt(ipv4Pattern, text, at) : undefined
    if (ipv4) {
      push('ipv4', ipv4, ipv4.length)
      continue
    }
    const number = /\d/.test(char) ? matchAt(numberPattern, text, at) : undefined
    if (number) {
      push('number', number, number.length)
      continue
    }
    const symbol = matchAt(symbolPattern, text, at)
    if (symbol) {
      push('symbol', symbol, symbol.length)
      continue
    }
    const mark = punctuation.find((candidate) => text.startsWith(candidate, at))
    if (mark) {
      push('punct', mark, mark.length)
      continue
    }
    warnings.push({ file, line, message: `unexpected character '${char}'` })
    at++
  }
  return { tokens, warnings }
}
