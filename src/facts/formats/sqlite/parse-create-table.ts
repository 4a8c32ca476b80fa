/** A column as its CREATE TABLE statement declares it. */
export interface SqliteColumn {
  name: string
  /** The declared type as written ('' when none); decides nothing here but the rowid alias. */
  type: string
  /** An INTEGER PRIMARY KEY: the column is the rowid, and records store NULL in its place. */
  rowidAlias: boolean
  /** False for a VIRTUAL generated column, which records do not store at all. */
  stored: boolean
}

export interface TableDefinition {
  columns: SqliteColumn[]
  withoutRowid: boolean
}

interface Token {
  kind: 'word' | 'quoted' | 'punctuation'
  /** Words and punctuation as written; quoted identifiers and strings without their quotes. */
  text: string
  start: number
  end: number
}

const tableConstraints = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'])
const columnConstraints = new Set([
  'CONSTRAINT',
  'PRIMARY',
  'NOT',
  'NULL',
  'UNIQUE',
  'CHECK',
  'DEFAULT',
  'COLLATE',
  'REFERENCES',
  'GENERATED',
  'AS',
])

/**
 * The columns of a table from the CREATE TABLE text sqlite keeps in its schema
 * (https://www.sqlite.org/lang_createtable.html), enough to map record values to names and to
 * find the rowid alias. Returns undefined for text that is not a CREATE TABLE with a column list.
 *
 * @example parseCreateTable("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)")
 * // columns: hnum (rowidAlias), blob
 */
export function parseCreateTable(sql: string): TableDefinition | undefined {
  const tokens = tokenize(sql)
  if (!tokens || !isWord(tokens[0], 'CREATE')) return undefined
  const open = tokens.findIndex((token) => token.text === '(' && token.kind === 'punctuation')
  if (open < 0 || !tokens.slice(0, open).some((token) => isWord(token, 'TABLE'))) return undefined
  const definitions: Token[][] = [[]]
  let depth = 0
  let close = -1
  for (let index = open + 1; index < tokens.length && close < 0; index++) {
    const token = tokens[index] as Token
    if (token.kind === 'punctuation' && token.text === ')' && depth === 0) close = index
    else if (token.kind === 'punctuation' && token.text === ',' && depth === 0) definitions.push([])
    else {
      depth += parenthesisDepthChange(token)
      definitions[definitions.length - 1]?.push(token)
    }
  }
  if (close < 0 || definitions.some((definition) => definition.length === 0)) return undefined
  const tail = tokens.slice(close + 1)
  const withoutRowid = tail.some(
    (token, index) => isWord(token, 'WITHOUT') && isWord(tail[index + 1], 'ROWID'),
  )

  const columns: SqliteColumn[] = []
  let tablePrimaryKey: string[] = []
  for (const definition of definitions) {
    const first = definition[0] as Token
    if (first.kind === 'word' && tableConstraints.has(first.text.toUpperCase()))
      tablePrimaryKey = primaryKeyColumns(definition) ?? tablePrimaryKey
    else columns.push(column(sql, definition))
  }
  if (!withoutRowid && tablePrimaryKey.length === 1) {
    const key = tablePrimaryKey[0]?.toLowerCase()
    for (const candidate of columns)
      if (candidate.name.toLowerCase() === key && candidate.type.toUpperCase() === 'INTEGER')
        candidate.rowidAlias = true
  }
  if (withoutRowid) for (const candidate of columns) candidate.rowidAlias = false
  return { columns, withoutRowid }
}

function column(sql: string, definition: Token[]): SqliteColumn {
  const [name, ...rest] = definition as [Token, ...Token[]]
  let typeEnd = 0
  for (let depth = 0; typeEnd < rest.length; typeEnd++) {
    const token = rest[typeEnd] as Token
    if (depth === 0 && token.kind === 'word' && columnConstraints.has(token.text.toUpperCase())) break
    depth += parenthesisDepthChange(token)
  }
  const typeTokens = rest.slice(0, typeEnd)
  const constraints = rest.slice(typeEnd)
  const type =
    typeTokens.length === 1 && typeTokens[0]?.kind === 'quoted'
      ? typeTokens[0].text
      : typeTokens.length > 0
        ? sql.slice(typeTokens[0]?.start, typeTokens[typeTokens.length - 1]?.end)
        : ''
  // The documented quirk: "INTEGER PRIMARY KEY DESC" is not a rowid alias.
  const key = constraints.findIndex(
    (token, index) => isWord(token, 'PRIMARY') && isWord(constraints[index + 1], 'KEY'),
  )
  const rowidAlias = key >= 0 && !isWord(constraints[key + 2], 'DESC') && type.toUpperCase() === 'INTEGER'
  const topLevel = outsideParentheses(constraints)
  const generated = topLevel.some((token) => isWord(token, 'AS'))
  const stored = !generated || topLevel.some((token) => isWord(token, 'STORED'))
  return { name: name.text, type, rowidAlias, stored }
}

/** The column names of a table-level PRIMARY KEY (…), or undefined for another constraint. */
function primaryKeyColumns(definition: Token[]): string[] | undefined {
  const key = definition.findIndex(
    (token, index) => isWord(token, 'PRIMARY') && isWord(definition[index + 1], 'KEY'),
  )
  if (key < 0 || definition[key + 2]?.text !== '(') return undefined
  const names: string[] = []
  let depth = 0
  let expectName = true
  for (const token of definition.slice(key + 3)) {
    if (depth === 0 && token.kind === 'punctuation' && token.text === ')') break
    if (depth === 0 && token.kind === 'punctuation' && token.text === ',') expectName = true
    else if (expectName) {
      names.push(token.text)
      expectName = false
    }
    depth += parenthesisDepthChange(token)
  }
  return names
}

/** The tokens not inside parentheses, so that CHECK (…) and DEFAULT (…) expressions are skipped. */
function outsideParentheses(tokens: Token[]): Token[] {
  let depth = 0
  return tokens.filter((token) => {
    const change = parenthesisDepthChange(token)
    depth += change
    return depth === 0 && change === 0
  })
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word
}

function parenthesisDepthChange(token: Token): number {
  if (token.kind !== 'punctuation') return 0
  return token.text === '(' ? 1 : token.text === ')' ? -1 : 0
}

const closingQuotes: Record<string, string> = { '"': '"', "'": "'", '`': '`', '[': ']' }

/** SQL tokens without whitespace and comments; undefined when a quote or comment is unterminated. */
function tokenize(sql: string): Token[] | undefined {
  const tokens: Token[] = []
  let position = 0
  while (position < sql.length) {
    const char = sql[position] as string
    if (/\s/.test(char)) position++
    else if (sql.startsWith('--', position)) {
      const end = sql.indexOf('\n', position)
      position = end < 0 ? sql.length : end + 1
    } else if (sql.startsWith('/*', position)) {
      const end = sql.indexOf('*/', position + 2)
      if (end < 0) return undefined
      position = end + 2
    } else if (char in closingQuotes) {
      const closing = closingQuotes[char] as string
      let text = ''
      let end = position + 1
      for (;;) {
        const next = sql.indexOf(closing, end)
        if (next < 0) return undefined
        text += sql.slice(end, next)
        // A doubled quote stands for itself, except inside [...].
        if (closing !== ']' && sql[next + 1] === closing) {
          text += closing
          end = next + 2
        } else {
          end = next + 1
          break
        }
      }
      tokens.push({ kind: 'quoted', text, start: position, end })
      position = end
    } else if (/[\w$\u0080-\uffff]/.test(char)) {
      let end = position + 1
      while (end < sql.length && /[\w$\u0080-\uffff]/.test(sql[end] as string)) end++
      tokens.push({ kind: 'word', text: sql.slice(position, end), start: position, end })
      position = end
    } else {
      tokens.push({ kind: 'punctuation', text: char, start: position, end: position + 1 })
      position++
    }
  }
  return tokens
}
