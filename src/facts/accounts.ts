/**
 * @module
 * Local accounts from /etc/passwd and /etc/group, as `getent passwd`/`getent group` list them on
 * a host without NIS or LDAP. Checks use them for home directories and reserved-ID rules.
 */
import type { Host } from '../host/host.ts'
import { ParseError, type ParseWarning, toWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'

export interface User {
  name: string
  uid: number
  gid: number
  gecos: string
  home: string
  shell: string
}

export interface Group {
  name: string
  gid: number
  members: string[]
}

/**
 * Splits colon-separated database lines, skipping blanks, comments and NIS '+'/'-' entries;
 * a line with the wrong field count or a non-numeric id becomes a warning naming file and line.
 */
function parseColonFile<T>(
  text: string,
  file: string,
  fieldCount: number,
  build: (fields: string[], fail: (detail: string) => never) => T,
): { entries: T[]; warnings: ParseWarning[] } {
  const entries: T[] = []
  const warnings: ParseWarning[] = []
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return
    const fields = line.split(':')
    const fail = (detail: string): never => {
      throw new ParseError(file, index + 1, detail)
    }
    try {
      if (fields.length !== fieldCount)
        fail(`expected ${fieldCount} colon-separated fields, found ${fields.length}`)
      entries.push(build(fields, fail))
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      warnings.push(toWarning(error))
    }
  })
  return { entries, warnings }
}

function parseId(value: string | undefined, what: string, fail: (detail: string) => never): number {
  if (value === undefined || !/^\d+$/.test(value)) return fail(`${what} '${value ?? ''}' is not a number`)
  return Number(value)
}

export function parsePasswd(text: string, file = '/etc/passwd') {
  return parseColonFile<User>(text, file, 7, (f, fail) => ({
    name: f[0] ?? '',
    uid: parseId(f[2], 'uid', fail),
    gid: parseId(f[3], 'gid', fail),
    gecos: f[4] ?? '',
    home: f[5] ?? '',
    shell: f[6] ?? '',
  }))
}

export function parseGroup(text: string, file = '/etc/group') {
  return parseColonFile<Group>(text, file, 4, (f, fail) => ({
    name: f[0] ?? '',
    gid: parseId(f[2], 'gid', fail),
    members: (f[3] ?? '').split(',').filter(Boolean),
  }))
}

async function readRequired(host: Host, file: string): Promise<string> {
  return (await host.readText(file)) ?? ''
}

export const users = defineFact({
  id: 'users',
  title: 'All users',
  async collect({ host }): Promise<{ users: User[]; warnings: ParseWarning[] }> {
    const { entries, warnings } = parsePasswd(await readRequired(host, '/etc/passwd'))
    return { users: entries, warnings }
  },
})

export const groups = defineFact({
  id: 'groups',
  title: 'All groups',
  async collect({ host }): Promise<{ groups: Group[]; warnings: ParseWarning[] }> {
    const { entries, warnings } = parseGroup(await readRequired(host, '/etc/group'))
    return { groups: entries, warnings }
  },
})
