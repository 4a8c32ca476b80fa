/**
 * @module
 * APT sources as apt reads them: /etc/apt/sources.list, then /etc/apt/sources.list.d/*.list
 * (one-line format, `deb [options] uri suite [component…]`) and *.sources (deb822 stanzas:
 * Types, URIs, Suites, Components, Signed-By, Enabled, …), sorted by name. An entry apt would
 * reject becomes a warning with its file and line instead of hiding the rest of the list.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import { splitLines } from './ini/parse-ini.ts'

export interface AptSignedBy {
  /** Absolute paths of keyring files. */
  keyrings: string[]
  fingerprints: string[]
  /** An ASCII-armoured key written into the .sources file itself. */
  inlineKey: boolean
}

export interface AptSource {
  file: string
  /** The one-line entry's line, or the first line of the deb822 stanza. */
  line: number
  format: 'one-line' | 'deb822'
  types: string[]
  uris: string[]
  suites: string[]
  components: string[]
  /** deb822 `Enabled: no` gives false; one-line entries are enabled (commented-out lines are not entries). */
  enabled: boolean
  /** Every other option by its deb822 name in lower case ('architectures', 'signed-by', 'trusted'). */
  options: Record<string, string>
  signedBy?: AptSignedBy
  /** deb822 only: the line of each field (lower-case name), for a fix that edits one. */
  fieldLines?: Record<string, number>
}

export interface AptSources {
  /** Files read, in apt's order. */
  files: string[]
  /** Entries of sources.list.d that apt skips (wrong extension or name), e.g. 'docker.list.save'. */
  ignoredFiles: string[]
  sources: AptSource[]
  warnings: ParseWarning[]
}

const sourcesList = '/etc/apt/sources.list'
const sourcesDirectory = '/etc/apt/sources.list.d'
const knownTypes = new Set(['deb', 'deb-src'])
/** One-line option names → deb822 field names (sources.list(5)). */
const optionFieldNames: Record<string, string> = {
  arch: 'architectures',
  lang: 'languages',
  target: 'targets',
}

function parseSignedBy(value: string): AptSignedBy {
  if (value.includes('BEGIN PGP PUBLIC KEY BLOCK')) return { keyrings: [], fingerprints: [], inlineKey: true }
  const items = value.split(/[\s,]+/).filter(Boolean)
  return {
    keyrings: items.filter((item) => item.startsWith('/')),
    fingerprints: items.filter((item) => !item.startsWith('/')),
    inlineKey: false,
  }
}

/** The checks apt applies to every entry; a problem is returned as apt's own word for it. */
function entryProblem(
  entry: Pick<AptSource, 'types' | 'uris' | 'suites' | 'components'>,
): string | undefined {
  const unknown = entry.types.find((type) => !knownTypes.has(type))
  if (unknown !== undefined) return `type '${unknown}' is not known (deb or deb-src)`
  if (entry.types.length === 0) return 'no type (deb or deb-src)'
  if (entry.uris.length === 0) return 'no URI'
  if (entry.suites.length === 0) return 'no suite'
  const flat = entry.suites.filter((suite) => suite.endsWith('/'))
  if (flat.length > 0 && entry.components.length > 0)
    return `suite '${flat[0]}' is an exact path, so it takes no components`
  if (flat.length < entry.suites.length && entry.components.length === 0)
    return `suite '${entry.suites.find((s) => !s.endsWith('/'))}' needs at least one component`
  return undefined
}

/** Tokens of a one-line entry; a cdrom:[label with spaces]/ URI stays one token, as apt reads it. */
function tokenize(text: string): string[] {
  const tokens: string[] = []
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const previous = tokens[tokens.length - 1]
    if (previous?.includes(':[') && !previous.includes(']')) {
      tokens[tokens.length - 1] = `${previous} ${word}`
    } else tokens.push(word)
  }
  return tokens
}

export function parseOneLineSources(
  text: string,
  file: string,
): { sources: AptSource[]; warnings: ParseWarning[] } {
  const sources: AptSource[] = []
  const warnings: ParseWarning[] = []
  splitLines(text).forEach(({ text: raw }, index) => {
    const line = index + 1
    const hash = raw.indexOf('#')
    const content = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (content === '') return
    const tokens = tokenize(content)
    const type = tokens.shift() ?? ''
    const options: Record<string, string> = {}
    if (tokens[0]?.startsWith('[')) {
      const block: string[] = []
      while (tokens.length > 0) {
        const token = tokens.shift() as string
        block.push(token)
        if (token.endsWith(']')) break
      }
      const inside = block.join(' ').replace(/^\[/, '').replace(/\]$/, '')
      if (!block.at(-1)?.endsWith(']')) {
        warnings.push({ file, line, message: "the '[' option list is not closed with ']'" })
        return
      }
      for (const option of inside.split(/\s+/).filter(Boolean)) {
        const match = /^([\w-]+?)([+-]?)=(.*)$/.exec(option)
        if (!match) {
          warnings.push({ file, line, message: `option '${option}' is not name=value` })
          return
        }
        const [, name = '', operator = '', value = ''] = match
        options[(optionFieldNames[name] ?? name) + operator] = value
      }
    }
    const [uri, suite, ...components] = tokens
    const entry = {
      types: [type],
      uris: uri === undefined ? [] : [uri],
      suites: suite === undefined ? [] : [suite],
      components,
    }
    const problem = entryProblem(entry)
    if (problem) {
      warnings.push({ file, line, message: problem })
      return
    }
    const { 'signed-by': signedBy, ...rest } = options
    sources.push({
      file,
      line,
      format: 'one-line',
      ...entry,
      enabled: true,
      options: rest,
      ...(signedBy === undefined ? {} : { signedBy: parseSignedBy(signedBy) }),
    })
  })
  return { sources, warnings }
}

interface Stanza {
  line: number
  fields: Map<string, { value: string; line: number }>
}

/** deb822 stanzas: 'Field: value', continuation lines start with a space or tab (' .' is an empty line), '#' comments anywhere. */
function parseStanzas(text: string, file: string, warnings: ParseWarning[]): Stanza[] {
  const stanzas: Stanza[] = []
  let stanza: Stanza | undefined
  let field: { value: string; line: number } | undefined
  splitLines(text).forEach(({ text: raw }, index) => {
    const line = index + 1
    if (raw.startsWith('#')) return
    if (raw.trim() === '') {
      stanza = undefined
      field = undefined
      return
    }
    if (/^[ \t]/.test(raw)) {
      if (!field) {
        warnings.push({ file, line, message: 'continuation line without a field above it' })
        return
      }
      const continued = raw.trim()
      field.value = `${field.value}\n${continued === '.' ? '' : continued}`
      return
    }
    const match = /^([^:\s]+):(.*)$/.exec(raw)
    if (!match) {
      warnings.push({ file, line, message: `expected 'Field: value', found '${raw.trim()}'` })
      field = undefined
      return
    }
    if (!stanza) {
      stanza = { line, fields: new Map() }
      stanzas.push(stanza)
    }
    const name = (match[1] ?? '').toLowerCase()
    const earlier = stanza.fields.get(name)
    if (earlier)
      warnings.push({
        file,
        line,
        message: `${match[1]} is set again (first at line ${earlier.line}); the last value wins`,
      })
    field = { value: (match[2] ?? '').trim(), line }
    stanza.fields.set(name, field)
  })
  return stanzas
}

const mainFields = new Set(['types', 'uris', 'suites', 'components', 'enabled', 'signed-by'])
const yes = new Set(['yes', 'true', 'on', '1', 'enable', 'with'])
const no = new Set(['no', 'false', 'off', '0', 'disable', 'without'])

export function parseDeb822Sources(
  text: string,
  file: string,
): { sources: AptSource[]; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = []
  const sources: AptSource[] = []
  for (const stanza of parseStanzas(text, file, warnings)) {
    const list = (name: string) => (stanza.fields.get(name)?.value ?? '').split(/\s+/).filter(Boolean)
    const entry = {
      types: list('types'),
      uris: list('uris'),
      suites: list('suites'),
      components: list('components'),
    }
    const problem = entryProblem(entry)
    if (problem) {
      warnings.push({ file, line: stanza.line, message: problem })
      continue
    }
    const enabledField = stanza.fields.get('enabled')
    const enabledWord = enabledField?.value.toLowerCase()
    if (enabledField && enabledWord !== undefined && !yes.has(enabledWord) && !no.has(enabledWord)) {
      warnings.push({
        file,
        line: enabledField.line,
        message: `Enabled: '${enabledField.value}' is not yes or no; apt treats it as yes`,
      })
    }
    const signedBy = stanza.fields.get('signed-by')
    sources.push({
      file,
      line: stanza.line,
      format: 'deb822',
      ...entry,
      enabled: enabledWord === undefined || !no.has(enabledWord),
      options: Object.fromEntries(
        [...stanza.fields].filter(([name]) => !mainFields.has(name)).map(([name, f]) => [name, f.value]),
      ),
      ...(signedBy ? { signedBy: parseSignedBy(signedBy.value) } : {}),
      fieldLines: Object.fromEntries([...stanza.fields].map(([name, f]) => [name, f.line])),
    })
  }
  return { sources, warnings }
}

/** apt reads *.list and *.sources named with letters, digits, '_', '-' and '.'; it skips everything else ('x.list.save'). */
function isReadByApt(name: string): boolean {
  return /^[A-Za-z0-9_.-]+\.(list|sources)$/.test(name)
}

async function readSourceFile(host: Host, file: string, result: AptSources): Promise<void> {
  const text = await host.readText(file)
  if (text === undefined) return
  result.files.push(file)
  const parsed = file.endsWith('.sources') ? parseDeb822Sources(text, file) : parseOneLineSources(text, file)
  result.sources.push(...parsed.sources)
  result.warnings.push(...parsed.warnings)
}

export const aptSources = defineFact({
  id: 'aptSources',
  title: 'Package repositories (APT)',
  async collect({ host }): Promise<AptSources> {
    const result: AptSources = { files: [], ignoredFiles: [], sources: [], warnings: [] }
    await readSourceFile(host, sourcesList, result)
    for (const entry of (await host.readDir(sourcesDirectory)) ?? []) {
      const file = `${sourcesDirectory}/${entry.name}`
      if (!isReadByApt(entry.name)) {
        result.ignoredFiles.push(file)
        continue
      }
      if (entry.kind === 'directory') continue
      await readSourceFile(host, file, result)
    }
    return result
  },
})
