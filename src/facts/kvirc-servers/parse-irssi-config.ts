/**
 * @module
 * Irssi's configuration syntax (src/lib-config): nested `key = value;` blocks in `{ }`, lists in
 * `( )` separated by ',', values as "double-quoted" (backslash escapes) or 'single-quoted' strings
 * or bare words, '#' comments; keys case-insensitive. Tolerant like irssi itself: a broken
 * construct becomes a warning with its line and parsing goes on.
 */
import type { ParseWarning } from '../../host/parse-error.ts'

export type IrssiValue =
  | { kind: 'string'; value: string; line: number }
  | { kind: 'block'; entries: IrssiEntry[]; line: number }
  | { kind: 'list'; items: IrssiValue[]; line: number }

export interface IrssiEntry {
  key: string
  value: IrssiValue
  line: number
}

type Token =
  | { type: 'word'; text: string; line: number }
  | { type: 'punct'; text: '=' | ';' | ',' | '{' | '}' | '(' | ')'; line: number }

const punctuation = new Set(['=', ';', ',', '{', '}', '(', ')'])
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }

function tokenize(text: string, file: string, warnings: ParseWarning[]): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (punctuation.has(c)) {
      tokens.push({ type: 'punct', text: c as '=', line })
      i++
    } else if (c === '"' || c === "'") {
      const start = line
      let value = ''
      i++
      while (i < text.length && text[i] !== c) {
        const char = text[i] as string
        if (char === '\n') line++
        if (c === '"' && char === '\\' && i + 1 < text.length) {
          const escaped = text[i + 1] as string
          value += escapes[escaped] ?? escaped
          i += 2
          continue
        }
        value += char
        i++
      }
      if (i >= text.length) warnings.push({ file, line: start, message: 'unterminated string' })
      tokens.push({ type: 'word', text: value, line: start })
      i++
    } else {
      let word = ''
      while (i < text.length && !/[\s#"'=;,{}()]/.test(text[i] as string)) word += text[i++]
      tokens.push({ type: 'word', text: word, line })
    }
  }
  return tokens
}

class IrssiParser {
  private position = 0

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
    readonly warnings: ParseWarning[],
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.position]
  }

  private isPunct(token: Token | undefined, text: string): boolean {
    return token?.type === 'punct' && token.text === text
  }

  private warn(line: number, message: string): void {
    this.warnings.push({ file: this.file, line, message })
  }

  /** Entries up to `close` ('}') or the end of the file. */
  block(close: '}' | undefined, line: number): IrssiValue {
    const entries: IrssiEntry[] = []
    for (let token = this.peek(); token && !this.isPunct(token, close ?? ''); token = this.peek()) {
      if (this.isPunct(token, ';') || this.isPunct(token, ',')) {
        this.position++
        continue
      }
      if (token.type !== 'word') {
        this.warn(token.line, `unexpected '${token.text}' where a key was expected`)
        this.position++
        continue
      }
      this.position++
      if (this.isPunct(this.peek(), '=')) this.position++
      else this.warn(token.line, `missing '=' after '${token.text}'`)
      const value = this.value()
      if (value) entries.push({ key: token.text, value, line: token.line })
    }
    if (close) this.expect(close, line)
    return { kind: 'block', entries, line }
  }

  private list(line: number): IrssiValue {
    const items: IrssiValue[] = []
    for (let token = this.peek(); token && !this.isPunct(token, ')'); token = this.peek()) {
      if (this.isPunct(token, ',') || this.isPunct(token, ';')) {
        this.position++
        continue
      }
      const item = this.value()
      if (item) items.push(item)
    }
    this.expect(')', line)
    return { kind: 'list', items, line }
  }

  private value(): IrssiValue | undefined {
    const token = this.peek()
    if (!token) return undefined
    this.position++
    if (token.type === 'word') return { kind: 'string', value: token.text, line: token.line }
    if (token.text === '{') return this.block('}', token.line)
    if (token.text === '(') return this.list(token.line)
    this.warn(token.line, `unexpected '${token.text}' where a value was expected`)
    return undefined
  }

  private expect(close: string, openedAt: number): void {
    if (this.isPunct(this.peek(), close)) this.position++
    else this.warn(openedAt, `'${close === '}' ? '{' : '('}' opened here is never closed`)
  }
}

export function parseIrssiConfig(text: string, file: string): { root: IrssiValue; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = []
  const parser = new IrssiParser(tokenize(text, file, warnings), file, warnings)
  return { root: parser.block(undefined, 1), warnings }
}

/** Entries named `key` (any case) of a block, in file order; irssi merges repeated blocks. */
export function irssiEntries(value: IrssiValue | undefined, key: string): IrssiEntry[] {
  if (value?.kind !== 'block') return []
  const wanted = key.toLowerCase()
  return value.entries.filter((entry) => entry.key.toLowerCase() === wanted)
}
