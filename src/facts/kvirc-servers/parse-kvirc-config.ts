/**
 * @module
 * KVIrc's configuration file format (KviConfigurationFile, used by serverdb.kvc and ~/.kvirc4.rc):
 * '[group]' lines and 'key=value' lines, blanks around them ignored, '#' comments, names and values
 * %XX-encoded, groups and keys case-insensitive with the last assignment winning. Lines keep their
 * raw text so that a fix can rewrite the file byte for byte.
 */
import type { ParseWarning } from '../../host/parse-error.ts'

export interface KvircConfigLine {
  line: number
  /** The line exactly as in the file, without its '\n'. */
  raw: string
  /** On a '[group]' line: the decoded group name. */
  section?: string
  /** On a 'key=value' line: the decoded key and value, and the group it belongs to. */
  key?: string
  value?: string
}

export interface KvircConfigEntry {
  key: string
  value: string
  line: number
}

export interface KvircConfigSection {
  name: string
  /** The line of the group's first '[name]'. */
  line: number
  /** By lower-cased key (KVIrc looks keys up case-insensitively). */
  entries: Record<string, KvircConfigEntry>
}

export interface KvircConfigFile {
  path: string
  lines: KvircConfigLine[]
  sections: KvircConfigSection[]
  warnings: ParseWarning[]
}

/** KviCString::hexDecode: '%' and two hex digits stand for that byte; any other '%' is itself. */
export function decodeKvircText(text: string): string {
  if (!text.includes('%')) return text
  const bytes: number[] = []
  for (let i = 0; i < text.length; ) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 3
      continue
    }
    const codePoint = text.codePointAt(i) as number
    bytes.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'))
    i += codePoint > 0xffff ? 2 : 1
  }
  return Buffer.from(bytes).toString('utf8')
}

export function parseKvircConfig(text: string, file: string): KvircConfigFile {
  const warnings: ParseWarning[] = []
  const sections = new Map<string, KvircConfigSection>()
  let current: KvircConfigSection | undefined
  const lines = text.split('\n').map((raw, index): KvircConfigLine => {
    const line = index + 1
    const content = raw.replace(/^[ \t]+/, '').replace(/[\r\t ]+$/, '')
    if (content === '' || content.startsWith('#')) return { line, raw }
    if (content.startsWith('[')) {
      // Old KVIrc wrote unencoded ']' in names, so the name runs to the last ']'.
      const close = content.lastIndexOf(']')
      const name = decodeKvircText(content.slice(1, close > 0 ? close : undefined)).trimEnd()
      if (name === '') {
        warnings.push({ file, line, message: 'empty group name (KVIrc ignores this line)' })
        return { line, raw }
      }
      current = sections.get(name.toLowerCase())
      if (!current) {
        current = { name, line, entries: {} }
        sections.set(name.toLowerCase(), current)
      }
      return { line, raw, section: current.name }
    }
    const equals = content.indexOf('=')
    const key = equals > 0 ? decodeKvircText(content.slice(0, equals)).trimEnd() : ''
    if (key === '') {
      warnings.push({ file, line, message: "not a '[group]' or 'key=value' line (KVIrc ignores it)" })
      return { line, raw }
    }
    const value = decodeKvircText(content.slice(equals + 1).replace(/^[ \t]+/, ''))
    if (!current) {
      warnings.push({ file, line, message: `'${key}' comes before any [group]` })
      return { line, raw, key, value }
    }
    current.entries[key.toLowerCase()] = { key, value, line }
    return { line, raw, key, value }
  })
  return { path: file, lines, sections: [...sections.values()], warnings }
}

/** The file's text again, byte for byte. */
export function renderKvircConfig(file: Pick<KvircConfigFile, 'lines'>): string {
  return file.lines.map((line) => line.raw).join('\n')
}

export function kvircEntry(section: KvircConfigSection, key: string): KvircConfigEntry | undefined {
  return section.entries[key.toLowerCase()]
}
