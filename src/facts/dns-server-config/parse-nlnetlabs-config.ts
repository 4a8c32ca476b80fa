/**
 * @module
 * The configuration syntax NSD (nsd.conf(5)) and Unbound (unbound.conf(5)) share: `clause:` lines
 * (`server:`, `zone:`, `remote-control:`) followed by `key: value` lines, values optionally in
 * double quotes, `#` comments, and `include: "pattern"` (a glob, matches in order) expanded where
 * it stands. Each entry keeps its file, line and clause.
 */
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import { hostGlob, includePath } from '../sshd-config/host-glob.ts'

export interface NlnetlabsEntry {
  /** The clause the entry is in (`server`), '' before the first clause. */
  clause: string
  key: string
  value: string
  file: string
  line: number
}

export interface NlnetlabsConfig {
  entries: NlnetlabsEntry[]
  files: string[]
  warnings: ParseWarning[]
}

const maxIncludeDepth = 16

/** Removes a `#` comment that is not inside double quotes. */
function stripComment(text: string): string {
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted
    else if (text[i] === '#' && !quoted) return text.slice(0, i)
  }
  return text
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

/** One file's lines; `include:` entries are returned in place for the reader to expand. */
function parseNlnetlabsLines(
  text: string,
  file: string,
): { entries: NlnetlabsEntry[]; warnings: ParseWarning[] } {
  const entries: NlnetlabsEntry[] = []
  const warnings: ParseWarning[] = []
  let clause = ''
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    const content = stripComment(raw).trim()
    if (content === '') return
    const match = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(content)
    if (!match) {
      warnings.push({ file, line, message: `expected 'key: value' or 'clause:', found '${content}'` })
      return
    }
    const key = (match[1] ?? '').toLowerCase()
    const value = unquote((match[2] ?? '').trim())
    if (value === '' && key !== 'include') {
      clause = key
      return
    }
    entries.push({ clause, key, value, file, line })
  })
  return { entries, warnings }
}

/** Reads `mainFile` with its includes; undefined when it does not exist. */
export async function readNlnetlabsConfig(
  host: Host,
  mainFile: string,
): Promise<NlnetlabsConfig | undefined> {
  const mainText = await host.readText(mainFile)
  if (mainText === undefined) return undefined
  const config: NlnetlabsConfig = { entries: [], files: [], warnings: [] }
  const read = async (file: string, text: string, depth: number, clauseBefore: string) => {
    config.files.push(file)
    const parsed = parseNlnetlabsLines(text, file)
    config.warnings.push(...parsed.warnings)
    for (const entry of parsed.entries) {
      // An included file continues the clause it was included from until it opens its own.
      const clause = entry.clause === '' ? clauseBefore : entry.clause
      if (entry.key !== 'include' && entry.key !== 'include-toplevel') {
        config.entries.push({ ...entry, clause })
        continue
      }
      if (depth >= maxIncludeDepth) {
        config.warnings.push({
          file,
          line: entry.line,
          message: `includes nested more than ${maxIncludeDepth} deep`,
        })
        continue
      }
      const pattern = includePath(entry.value, file)
      const paths = /[*?[]/.test(pattern) ? await hostGlob(host, pattern) : [pattern]
      for (const path of paths) {
        const included = await host.readText(path)
        if (included === undefined) {
          config.warnings.push({ file, line: entry.line, message: `included file ${path} does not exist` })
          continue
        }
        await read(path, included, depth + 1, entry.key === 'include-toplevel' ? '' : clause)
      }
    }
  }
  await read(mainFile, mainText, 0, '')
  return config
}
