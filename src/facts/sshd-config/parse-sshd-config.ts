/**
 * @module
 * One sshd_config file, line by line, as OpenSSH's servconf.c reads it: the keyword ends at the
 * first blank or '=' (one '=' may stand between keyword and value), arguments are split on blanks
 * with "double" and 'single' quotes and backslash escapes, and an argument starting with '#' ends
 * the line. Every line keeps its raw text so that a fix can rewrite the file byte for byte.
 */
import type { ParseWarning } from '../../host/parse-error.ts'

export interface SshdConfigLine {
  /** 1-based line number. */
  line: number
  /** The line exactly as in the file, without its '\n' (a CRLF file keeps its '\r'). */
  raw: string
  /** Lower-cased keyword; absent on blank and comment lines and on lines sshd would reject. */
  keyword?: string
  /** The keyword as written ('UseDNS', 'usedns'). */
  writtenKeyword?: string
  /** Arguments with quotes and escapes removed. */
  args: string[]
}

export interface SshdConfigFile {
  /** Host path. */
  path: string
  /** One entry per '\n'-separated piece of the text; a final newline leaves an empty last entry. */
  lines: SshdConfigLine[]
  warnings: ParseWarning[]
}

const blank = /[ \t\r\n]/

/** The keyword as strdelim() takes it: up to a blank or '=', then blanks and at most one '='. */
function splitKeyword(text: string): { keyword: string; rest: string } {
  let end = 0
  while (end < text.length && !blank.test(text[end] ?? '') && text[end] !== '=') end++
  const keyword = text.slice(0, end)
  let rest = text.slice(end)
  let sawEquals = false
  for (;;) {
    const next = rest[0]
    if (next === undefined) break
    if (blank.test(next)) rest = rest.slice(1)
    else if (next === '=' && !sawEquals) {
      sawEquals = true
      rest = rest.slice(1)
    } else break
  }
  return { keyword, rest }
}

/** argv_split(): blanks separate, quotes group, '\\' escapes quotes, '\\' and (unquoted) blanks. */
export function splitSshdArguments(text: string): string[] | 'unterminated-quote' {
  const args: string[] = []
  let i = 0
  while (i < text.length) {
    const start = text[i]
    if (start === ' ' || start === '\t') {
      i++
      continue
    }
    if (start === '#') break
    let quote: string | undefined
    let arg = ''
    while (i < text.length) {
      const c = text[i] as string
      const next = text[i + 1]
      if (c === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === undefined && next === ' ')) {
          arg += next
          i += 2
          continue
        }
        arg += c
      } else if (quote === undefined && (c === ' ' || c === '\t')) break
      else if (quote === undefined && (c === '"' || c === "'")) quote = c
      else if (quote !== undefined && c === quote) quote = undefined
      else arg += c
      i++
    }
    if (quote !== undefined) return 'unterminated-quote'
    args.push(arg)
  }
  return args
}

function parseSshdConfigLine(
  raw: string,
  line: number,
  file: string,
): { parsed: SshdConfigLine; warning?: ParseWarning } {
  const parsed: SshdConfigLine = { line, raw, args: [] }
  const content = raw.replace(/[ \t\r\n\f]+$/, '').replace(/^[ \t]+/, '')
  if (content === '' || content.startsWith('#')) return { parsed }
  const { keyword, rest } = splitKeyword(content)
  if (keyword === '') return { parsed, warning: { file, line, message: 'a line cannot start with "="' } }
  const args = splitSshdArguments(rest)
  if (args === 'unterminated-quote') {
    return {
      parsed,
      warning: { file, line, message: `${keyword}: unterminated quote (sshd refuses to start)` },
    }
  }
  if (args.length === 0) {
    return {
      parsed,
      warning: { file, line, message: `no argument after keyword "${keyword}" (sshd refuses to start)` },
    }
  }
  return { parsed: { ...parsed, keyword: keyword.toLowerCase(), writtenKeyword: keyword, args } }
}

export function parseSshdConfig(text: string, file: string): SshdConfigFile {
  const warnings: ParseWarning[] = []
  const lines = text.split('\n').map((raw, index) => {
    const { parsed, warning } = parseSshdConfigLine(raw, index + 1, file)
    if (warning) warnings.push(warning)
    return parsed
  })
  return { path: file, lines, warnings }
}

/** The file's text again, byte for byte. */
export function renderSshdConfig(file: Pick<SshdConfigFile, 'lines'>): string {
  return file.lines.map((line) => line.raw).join('\n')
}
