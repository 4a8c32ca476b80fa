/**
 * @module
 * The few rpm macros that decide where the database is (`%_dbpath`, `%_db_backend`), read from the
 * host's macro files in rpm's order (later definitions win) and expanded as far as plain
 * `%{name}` references go. Anything needing rpm's macro engine (`%(…)`, `%{lua:…}`, conditionals
 * on undefined macros) leaves the macro unknown rather than guessed.
 */
import path from 'node:path'
import type { Host } from '../../../host/host.ts'

/** rpm's macro path without the platform and per-user files (neither sets the database). */
const macroFiles = [
  '/usr/lib/rpm/macros',
  '/usr/lib/rpm/macros.d/macros.*',
  '/usr/lib/rpm/redhat/macros',
  '/usr/lib/rpm/suse/macros',
  '/etc/rpm/macros.*',
  '/etc/rpm/macros',
]

/** Bounds on nesting and on the total work, so that self-referring definitions end quickly. */
const maxExpansionDepth = 16
const maxExpansions = 256

/** Definitions from every macro file of the host, later ones overriding earlier ones. */
export async function readRpmMacros(host: Host): Promise<Map<string, string>> {
  const definitions = new Map<string, string>()
  for (const pattern of macroFiles) {
    for (const file of await expandPattern(host, pattern)) {
      const text = await host.readText(file)
      if (text !== undefined) for (const [name, body] of parseMacroFile(text)) definitions.set(name, body)
    }
  }
  return definitions
}

/** `macros.*` patterns list the directory, sorted by name as rpm's glob does. */
async function expandPattern(host: Host, pattern: string): Promise<string[]> {
  if (!pattern.endsWith('*')) return [pattern]
  const dir = path.posix.dirname(pattern)
  const prefix = path.posix.basename(pattern).slice(0, -1)
  const entries = (await host.readDir(dir)) ?? []
  return entries
    .filter((entry) => entry.name.startsWith(prefix) && entry.kind !== 'directory')
    .map((entry) => `${dir}/${entry.name}`)
}

/** Simple `%name body` definitions, with backslash-continued lines joined; parametric macros are skipped. */
export function parseMacroFile(text: string): [string, string][] {
  const definitions: [string, string][] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)}\n${lines[++i]}`
    const match = /^%([A-Za-z_][A-Za-z0-9_]*)[ \t]+(.*)$/s.exec(line)
    if (match) definitions.push([match[1] as string, (match[2] as string).trim()])
  }
  return definitions
}

/** Expands `name` with `definitions`; undefined when it is undefined or needs more than plain references. */
export function expandMacro(definitions: ReadonlyMap<string, string>, name: string): string | undefined {
  return expand(definitions, name, { depth: 0, budget: maxExpansions })
}

function expand(
  definitions: ReadonlyMap<string, string>,
  name: string,
  state: { depth: number; budget: number },
): string | undefined {
  const body = definitions.get(name)
  if (body === undefined || state.depth > maxExpansionDepth || --state.budget < 0) return undefined
  let unknown = false
  state.depth++
  const expanded = body.replace(
    /%%|%\{(\?)?([A-Za-z_][A-Za-z0-9_]*)\}|%([A-Za-z_][A-Za-z0-9_]*)|%/g,
    (whole, optional, braced, bare) => {
      if (whole === '%%') return '%'
      const reference = (braced ?? bare) as string | undefined
      if (reference === undefined || unknown) {
        unknown = true
        return whole
      }
      const value = expand(definitions, reference, state)
      if (value === undefined && !(optional && !definitions.has(reference))) unknown = true
      return value ?? ''
    },
  )
  state.depth--
  return unknown ? undefined : expanded
}
