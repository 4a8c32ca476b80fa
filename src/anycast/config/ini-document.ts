/**
 * @module
 * The line layer of the anycast config: `[section args…]` headers, `key = value` entries, full-line
 * `#`/`;` comments. Every section and entry keeps its line number so validation errors can name
 * `file:line`. Knows nothing about what the sections mean.
 */
import { ParseError } from '../../host/parse-error.ts'

export interface IniEntry {
  readonly key: string
  readonly value: string
  readonly line: number
}

export interface IniSection {
  /** First word of the header: `service` in `[service ns1]`. */
  readonly kind: string
  /** The remaining words: `['ns1']`. */
  readonly args: readonly string[]
  readonly line: number
  readonly entries: readonly IniEntry[]
}

export interface IniDocument {
  readonly file: string
  readonly sections: readonly IniSection[]
}

const headerPattern = /^\[\s*([^\]]*?)\s*\]$/
const entryPattern = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/

/** Parses the whole text; malformed lines are collected, not thrown, so one run reports them all. */
export function parseIniDocument(
  text: string,
  file: string,
): { document: IniDocument; errors: ParseError[] } {
  const sections: { kind: string; args: string[]; line: number; entries: IniEntry[] }[] = []
  const errors: ParseError[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = index + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return
    const header = headerPattern.exec(trimmed)
    if (header) {
      const words = (header[1] ?? '').split(/\s+/).filter(Boolean)
      const [kind, ...args] = words
      if (!kind) {
        errors.push(new ParseError(file, line, 'empty section header'))
        return
      }
      sections.push({ kind, args, line, entries: [] })
      return
    }
    const entry = entryPattern.exec(trimmed)
    if (!entry) {
      errors.push(
        new ParseError(file, line, `expected 'key = value', a [section] header or a # comment: '${trimmed}'`),
      )
      return
    }
    const section = sections.at(-1)
    if (!section) {
      errors.push(new ParseError(file, line, `'${entry[1]}' is outside any [section]`))
      return
    }
    section.entries.push({ key: entry[1] ?? '', value: (entry[2] ?? '').trim(), line })
  })
  return { document: { file, sections }, errors }
}
