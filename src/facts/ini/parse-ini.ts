/**
 * @module
 * A line-preserving parser for the INI dialect yum and dnf read (Python 2 ConfigParser's, through
 * iniparse): `[section]` headers, `key=value` or `key: value`, a value continued on indented
 * lines, `#` and `;` comment lines, ` ;` inline comments. Every physical line is kept with its own
 * line ending, so `renderIni` gives the input back byte for byte and a later `preflight fix` can rewrite one
 * entry and leave every other byte alone.
 */
import type { ParseWarning } from '../../host/parse-error.ts'

/** One physical line: its text without the line ending, and the ending ('\n', '\r\n', or '' at EOF). */
export interface IniLine {
  text: string
  eol: string
}

export interface IniEntry {
  /** Lower-cased, as ConfigParser's optionxform. */
  key: string
  /** Trimmed; continuation lines are joined with '\n'. */
  value: string
  /** 1-based line of `key=`. */
  line: number
  /** Every physical line the entry occupies: `line` first, then its continuation lines. */
  lines: number[]
  /** The raw text before the value on the first line ('gpgkey = '), kept so an edit keeps the spelling. */
  prefix: string
}

/** One `[name]` block as written; a name that appears twice in a file gives two sections. */
export interface IniSection {
  name: string
  line: number
  entries: IniEntry[]
}

export interface IniDocument {
  file: string
  lines: IniLine[]
  sections: IniSection[]
  warnings: ParseWarning[]
}

/** Splits text into lines that keep their endings; a final line without '\n' keeps eol ''. */
export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = []
  let start = 0
  while (start < text.length) {
    const newline = text.indexOf('\n', start)
    if (newline === -1) {
      lines.push({ text: text.slice(start), eol: '' })
      break
    }
    const crlf = newline > start && text[newline - 1] === '\r'
    lines.push({ text: text.slice(start, crlf ? newline - 1 : newline), eol: crlf ? '\r\n' : '\n' })
    start = newline + 1
  }
  return lines
}

export function renderIni(document: Pick<IniDocument, 'lines'>): string {
  return document.lines.map((line) => line.text + line.eol).join('')
}

const sectionHeader = /^\s*\[([^\]]+)\]/
/** ConfigParser's OPTCRE: the key runs to the first ':' or '='. */
const keyValue = /^([^:=\s][^:=]*?)(\s*[:=]\s*)(.*)$/

function isComment(trimmed: string): boolean {
  return trimmed.startsWith('#') || trimmed.startsWith(';')
}

/** ConfigParser drops a ';' comment that follows whitespace, and reads '""' as empty. */
function cleanValue(raw: string): string {
  const comment = raw.search(/\s;/)
  const value = (comment === -1 ? raw : raw.slice(0, comment)).trim()
  return value === '""' ? '' : value
}

export function parseIni(text: string, file: string): IniDocument {
  const lines = splitLines(text)
  const sections: IniSection[] = []
  const warnings: ParseWarning[] = []
  const warn = (line: number, message: string) => warnings.push({ file, line, message })
  const firstSeen = new Map<string, number>()
  let section: IniSection | undefined
  let entry: IniEntry | undefined

  lines.forEach(({ text: raw }, index) => {
    const number = index + 1
    const content = index === 0 ? raw.replace(/^\uFEFF/, '') : raw
    const trimmed = content.trim()
    if (trimmed === '' || isComment(trimmed)) return
    // An indented line continues the value above it, even across blank and comment lines.
    if (/^\s/.test(content) && entry) {
      entry.value = entry.value === '' ? trimmed : `${entry.value}\n${trimmed}`
      entry.lines.push(number)
      return
    }
    const header = sectionHeader.exec(content)
    if (header) {
      const name = header[1] ?? ''
      const first = firstSeen.get(name)
      if (first !== undefined) {
        warn(number, `section [${name}] appears again (first at line ${first}); its keys are merged`)
      } else firstSeen.set(name, number)
      section = { name, line: number, entries: [] }
      sections.push(section)
      entry = undefined
      return
    }
    const pair = keyValue.exec(content)
    if (!pair) {
      warn(number, `expected 'key=value', '[section]' or a comment, found '${trimmed}'`)
      entry = undefined
      return
    }
    if (!section) {
      warn(number, `'${trimmed}' comes before any [section] header`)
      return
    }
    const key = (pair[1] ?? '').trimEnd().toLowerCase()
    const earlier = sections
      .filter((s) => s.name === section?.name)
      .flatMap((s) => s.entries)
      .find((e) => e.key === key)
    if (earlier) warn(number, `'${key}' is set again (first at line ${earlier.line}); the last value wins`)
    // ConfigParser takes 'baseurl http://x' as key 'baseurl http': legal, but never what was meant.
    if (/\s/.test(key)) warn(number, `key '${key}' contains a space: is the '=' missing?`)
    entry = {
      key,
      value: cleanValue(pair[3] ?? ''),
      line: number,
      lines: [number],
      prefix: content.slice(0, content.length - (pair[3] ?? '').length),
    }
    section.entries.push(entry)
  })
  return { file, lines, sections, warnings }
}

/** The effective key → entry map of every section named `name` (later sections and keys win, as ConfigParser merges them). */
export function sectionEntries(document: Pick<IniDocument, 'sections'>, name: string): Map<string, IniEntry> {
  const entries = new Map<string, IniEntry>()
  for (const section of document.sections) {
    if (section.name !== name) continue
    for (const entry of section.entries) entries.set(entry.key, entry)
  }
  return entries
}
