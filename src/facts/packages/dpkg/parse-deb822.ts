/**
 * @module
 * deb822 stanzas (deb822(5)), the format of /var/lib/dpkg/status and of every control file dpkg
 * and apt keep: `Field: value` lines, continuation lines starting with a space or tab, stanzas
 * separated by blank lines. One pass over the text with indexOf, no regular expressions: the
 * status file of a big host is several megabytes.
 */
import type { ParseWarning } from '../../../host/parse-error.ts'

export interface Deb822Field {
  /** The name as written ('Package'). */
  name: string
  /** The rest of the field's first line, trimmed. */
  value: string
  /** Continuation lines, without their leading space or tab (' .' paragraph breaks stay '.'). */
  continuation: string[]
  /** 1-based line of the field name. */
  line: number
}

export interface Deb822Stanza {
  /** 1-based line of the stanza's first field. */
  line: number
  /** Keyed by lower-case name: field names are case-insensitive. */
  fields: Map<string, Deb822Field>
}

export interface ParsedDeb822 {
  stanzas: Deb822Stanza[]
  warnings: ParseWarning[]
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false
  }
  return true
}

export function parseDeb822(text: string, file: string): ParsedDeb822 {
  const stanzas: Deb822Stanza[] = []
  const warnings: ParseWarning[] = []
  let stanza: Deb822Stanza | undefined
  /** 'rejected': a bad line or duplicate field, whose continuation lines go with it silently. */
  let field: Deb822Field | 'rejected' | undefined
  let lineNumber = 0
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start)
    const stop = end < 0 ? text.length : end
    const line = text.charCodeAt(stop - 1) === 0x0d ? text.slice(start, stop - 1) : text.slice(start, stop)
    start = stop + 1
    lineNumber++

    if (isBlank(line)) {
      stanza = undefined
      field = undefined
      continue
    }
    const first = line.charCodeAt(0)
    if (first === 0x20 || first === 0x09) {
      if (field === 'rejected') continue
      if (field) field.continuation.push(line.slice(1))
      else warnings.push({ file, line: lineNumber, message: 'continuation line without a field before it' })
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) {
      field = 'rejected'
      warnings.push({ file, line: lineNumber, message: `expected 'Field: value', found '${line}'` })
      continue
    }
    const name = line.slice(0, colon)
    if (!stanza) {
      stanza = { line: lineNumber, fields: new Map() }
      stanzas.push(stanza)
    }
    const key = name.toLowerCase()
    if (stanza.fields.has(key)) {
      field = 'rejected'
      warnings.push({ file, line: lineNumber, message: `duplicate field '${name}' (the first one is kept)` })
      continue
    }
    field = { name, value: line.slice(colon + 1).trim(), continuation: [], line: lineNumber }
    stanza.fields.set(key, field)
  }
  return { stanzas, warnings }
}
