/**
 * @module
 * systemd unit files (systemd.syntax(7)): `[Section]` headers, `Key=Value` assignments, `#`/`;`
 * comments, and a trailing backslash joining the next line (comment lines inside a continuation
 * are skipped, as systemd does). Each assignment keeps the line it starts on, so warnings and a
 * later rewrite can point at it. Only [Install] is interpreted here: it decides whether
 * `systemctl list-unit-files` calls a unit enabled, disabled, static or indirect.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import { unitName } from './unit-name.ts'

export interface UnitFileEntry {
  section: string
  key: string
  value: string
  /** 1-based line the assignment starts on. */
  line: number
}

export interface ParsedUnitFile {
  entries: UnitFileEntry[]
  warnings: ParseWarning[]
}

/** A line ends in an unescaped backslash when a scan that pairs up escapes ends inside one. */
function endsWithContinuation(text: string): boolean {
  let escaped = false
  for (let i = 0; i < text.length; i++) {
    if (escaped) escaped = false
    else if (text.charCodeAt(i) === 0x5c) escaped = true
  }
  return escaped
}

function isComment(line: string): boolean {
  const first = line.trimStart().charAt(0)
  return first === '#' || first === ';'
}

export function parseUnitFile(text: string, file: string): ParsedUnitFile {
  const entries: UnitFileEntry[] = []
  const warnings: ParseWarning[] = []
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n')
  let section: string | undefined
  let pending: { text: string; line: number } | undefined

  const handle = (logical: string, line: number) => {
    const content = logical.trim()
    if (content === '') return
    if (content.startsWith('[')) {
      if (!content.endsWith(']') || content.length < 3) {
        warnings.push({ file, line, message: `invalid section header '${content}'` })
        section = undefined
        return
      }
      section = content.slice(1, -1)
      return
    }
    const eq = content.indexOf('=')
    if (eq < 0) {
      warnings.push({ file, line, message: `missing '=' in '${content}'` })
      return
    }
    if (section === undefined) {
      warnings.push({ file, line, message: 'assignment outside of any section' })
      return
    }
    entries.push({ section, key: content.slice(0, eq).trim(), value: content.slice(eq + 1).trim(), line })
  }

  lines.forEach((raw, index) => {
    const rawLine = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (isComment(rawLine)) return
    const joined = pending
      ? { text: pending.text + rawLine, line: pending.line }
      : { text: rawLine, line: index + 1 }
    if (endsWithContinuation(joined.text)) {
      pending = { text: `${joined.text.slice(0, -1)} `, line: joined.line }
      return
    }
    pending = undefined
    handle(joined.text, joined.line)
  })
  if (pending) handle(pending.text, pending.line)
  return { entries, warnings }
}

/** The [Install] settings that decide a unit's enablement state. */
export interface InstallSection {
  aliases: string[]
  wantedBy: string[]
  requiredBy: string[]
  also: string[]
  defaultInstance?: string
}

export function emptyInstallSection(): InstallSection {
  return { aliases: [], wantedBy: [], requiredBy: [], also: [] }
}

const listKeys = { Alias: 'aliases', WantedBy: 'wantedBy', RequiredBy: 'requiredBy', Also: 'also' } as const

/**
 * Applies the [Install] assignments of a unit file (or drop-in) to `install`, as systemd does when
 * it computes a state: lists accumulate across files, an empty assignment clears them, names are
 * kept as written (systemd expands specifiers only when it creates the links), and Alias= is
 * ignored for unit types that cannot have aliases.
 */
export function applyInstallSection(install: InstallSection, entries: UnitFileEntry[], name: string): void {
  for (const entry of entries) {
    if (entry.section !== 'Install') continue
    if (entry.key === 'DefaultInstance') {
      if (entry.value === '') delete install.defaultInstance
      else install.defaultInstance = entry.value
      continue
    }
    const field = listKeys[entry.key as keyof typeof listKeys]
    if (field === undefined || (field === 'aliases' && !unitName.mayAlias(name))) continue
    if (entry.value === '') install[field] = []
    else install[field].push(...entry.value.split(/[ \t]+/))
  }
}
