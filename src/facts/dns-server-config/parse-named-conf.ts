/**
 * @module
 * BIND's named.conf (named.conf(5)): `//`, `#` and `/* *\/` comments, "strings", words, and the
 * same statement shape as BIRD's configuration (`options { listen-on port 53 { 127.0.0.1; }; };`),
 * so the tokens feed BIRD's statement parser. `include "file";` is expanded where it stands.
 * Read here: `acl` definitions and the `listen-on` / `listen-on-v6` lists of `options`.
 */
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import { type IncludeRules, loadWithIncludes } from '../bird-config/load-with-includes.ts'
import {
  type BirdStatement,
  isBlock,
  isToken,
  leadingWords,
  parseBirdStatements,
} from '../bird-config/parse-bird-statements.ts'
import type { BirdToken } from '../bird-config/tokenize-bird-config.ts'

/** One element of an address match list, ACL names resolved. */
export type AddressMatchElement =
  | { negated: boolean; kind: 'address'; text: string; file: string; line: number }
  | { negated: boolean; kind: 'any' | 'none' | 'localhost' | 'localnets'; file: string; line: number }
  | { negated: boolean; kind: 'list'; elements: AddressMatchElement[]; file: string; line: number }
  | { negated: boolean; kind: 'other'; text: string; file: string; line: number }

export interface NamedListenOn {
  family: 4 | 6
  port: number
  elements: AddressMatchElement[]
  file: string
  line: number
}

export interface NamedConf {
  files: string[]
  listenOn: NamedListenOn[]
  warnings: ParseWarning[]
}

function tokenizeNamedConf(text: string, file: string): { tokens: BirdToken[]; warnings: ParseWarning[] } {
  const tokens: BirdToken[] = []
  const warnings: ParseWarning[] = []
  const pattern = /(\/\/[^\n]*|#[^\n]*)|(\/\*[\s\S]*?(?:\*\/|$))|("[^"\n]*"?)|([{};!])|([^\s{};!"]+)|(\n)/g
  let line = 1
  let lineStart = 0
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [whole, lineComment, blockComment, string, punct, word, newline] = match
    const start = match.index
    const column = start - lineStart + 1
    if (newline) {
      line++
      lineStart = start + 1
      continue
    }
    if (lineComment) continue
    if (blockComment) {
      if (!blockComment.endsWith('*/'))
        warnings.push({ file, line, message: 'comment opened with /* is never closed' })
      const breaks = blockComment.split('\n').length - 1
      if (breaks > 0) {
        line += breaks
        lineStart = start + blockComment.lastIndexOf('\n') + 1
      }
      continue
    }
    const base = { file, line, column, start, end: start + whole.length }
    if (string !== undefined) {
      if (!string.endsWith('"') || string.length < 2)
        warnings.push({ file, line, message: 'unterminated string' })
      tokens.push({ ...base, kind: 'string', text: string.replace(/^"|"$/g, '') })
    } else if (punct) tokens.push({ ...base, kind: 'punct', text: punct })
    else if (word) tokens.push({ ...base, kind: /^\d+$/.test(word) ? 'number' : 'symbol', text: word })
  }
  return { tokens, warnings }
}

function elementsOf(
  statements: BirdStatement[],
  acls: Map<string, BirdStatement[]>,
  seen: Set<string>,
): AddressMatchElement[] {
  const elements: AddressMatchElement[] = []
  for (const statement of statements) {
    let items = statement.items
    const negated = isToken(items[0], '!')
    if (negated) items = items.slice(1)
    const [first] = items
    const where = { negated, file: statement.first.file, line: statement.first.line }
    if (isBlock(first)) {
      elements.push({ ...where, kind: 'list', elements: elementsOf(first.statements, acls, seen) })
      continue
    }
    if (!isToken(first)) continue
    const word = first.text
    if (word === 'any' || word === 'none' || word === 'localhost' || word === 'localnets') {
      elements.push({ ...where, kind: word })
    } else if (acls.has(word) && !seen.has(word)) {
      const inner = new Set(seen).add(word)
      elements.push({ ...where, kind: 'list', elements: elementsOf(acls.get(word) ?? [], acls, inner) })
    } else if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(word) && /[.:]/.test(word)) {
      elements.push({ ...where, kind: 'address', text: word })
    } else
      elements.push({
        ...where,
        kind: 'other',
        text: items.map((item) => (isToken(item) ? item.text : '{…}')).join(' '),
      })
  }
  return elements
}

function interpretNamedConf(tokens: BirdToken[], files: string[], warnings: ParseWarning[]): NamedConf {
  const parsed = parseBirdStatements(tokens)
  const all = [...warnings, ...parsed.warnings]
  const acls = new Map<string, BirdStatement[]>()
  const optionBlocks: BirdStatement[][] = []
  for (const statement of parsed.statements) {
    const [keyword, name] = leadingWords(statement)
    const block = statement.items.find(isBlock)
    if (keyword?.text === 'acl' && name && block) acls.set(name.text, block.statements)
    if (keyword?.text === 'options' && block) optionBlocks.push(block.statements)
  }
  const listenOn: NamedListenOn[] = []
  for (const statement of optionBlocks.flat()) {
    const words = leadingWords(statement)
    const keyword = words[0]?.text
    if (keyword !== 'listen-on' && keyword !== 'listen-on-v6') continue
    const block = statement.items.find(isBlock)
    if (!block) {
      all.push({
        file: statement.first.file,
        line: statement.first.line,
        message: `${keyword} without an address list`,
      })
      continue
    }
    const portIndex = words.findIndex((word) => word.text === 'port')
    const port = portIndex === -1 ? 53 : Number(words[portIndex + 1]?.text)
    listenOn.push({
      family: keyword === 'listen-on' ? 4 : 6,
      port,
      elements: elementsOf(block.statements, acls, new Set()),
      file: statement.first.file,
      line: statement.first.line,
    })
  }
  return { files, listenOn, warnings: all }
}

/** named resolves a relative include against its `directory`; the including file's directory is the usual layout. */
const namedIncludeRules: IncludeRules = {
  tokenize: tokenizeNamedConf,
  glob: false,
  maxDepth: 16,
  daemon: 'named',
}

/** Reads named.conf with its includes; undefined when it does not exist. */
export async function readNamedConf(host: Host, mainFile: string): Promise<NamedConf | undefined> {
  const mainText = await host.readText(mainFile)
  if (mainText === undefined) return undefined
  const loaded = await loadWithIncludes(host, mainFile, mainText, namedIncludeRules)
  return interpretNamedConf(loaded.tokens, loaded.files, loaded.warnings)
}
