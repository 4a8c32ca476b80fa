import { type IniDocument, type IniLine, renderIni } from './parse-ini.ts'

/**
 * The document's text with `key` of `[section]` set to `value`, every other byte unchanged: the
 * effective entry (the last one, as ConfigParser reads it) is rewritten in place with its own
 * spelling ('gpgkey = ') and its continuation lines dropped; a missing key is added after the
 * section's last entry. This is what `preflight fix` uses to write `enabled=0` or a new `gpgkey`.
 */
export function setIniValue(document: IniDocument, section: string, key: string, value: string): string {
  if (value.includes('\n')) throw new Error('setIniValue writes single-line values only')
  const sections = document.sections.filter((s) => s.name === section)
  const last = sections[sections.length - 1]
  if (!last) throw new Error(`${document.file}: no section [${section}]`)
  const wanted = key.toLowerCase()
  const entry = sections
    .flatMap((s) => s.entries)
    .filter((e) => e.key === wanted)
    .pop()
  const lines: IniLine[] = document.lines.map((line) => ({ ...line }))

  if (entry) {
    const first = lines[entry.line - 1] as IniLine
    first.text = entry.prefix + value
    const dropped = new Set(entry.lines.slice(1))
    return renderIni({ lines: lines.filter((_, index) => !dropped.has(index + 1)) })
  }

  const after = last.entries.at(-1)?.lines.at(-1) ?? last.line
  const eol = lines.find((line) => line.eol !== '')?.eol ?? '\n'
  const previous = lines[after - 1] as IniLine
  const insertedEol = previous.eol === '' ? '' : eol
  if (previous.eol === '') previous.eol = eol
  lines.splice(after, 0, { text: `${key}=${value}`, eol: insertedEol })
  return renderIni({ lines })
}
