/**
 * @module
 * glob(3) over a Host, as sshd's Include expands its patterns: '*', '?' and '[...]' ('[!...]')
 * within one path component, a leading '.' matched only by a literal '.', and the matches sorted.
 */
import type { Host } from '../../host/host.ts'

const magic = /[*?[]/

function hasMagic(component: string): boolean {
  return magic.test(component.replace(/\\./g, ''))
}

function removeEscapes(component: string): string {
  return component.replace(/\\(.)/g, '$1')
}

function escapeRegExp(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

/** One path component's pattern as an anchored RegExp; an unclosed '[' is a literal, as in glob(3). */
function globComponentRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i] as string)
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2)
      if (close === -1) {
        source += '\\['
        continue
      }
      let body = pattern.slice(i + 1, close)
      const negated = body.startsWith('!') || body.startsWith('^')
      if (negated) body = body.slice(1)
      const members = body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/\^/g, '\\^')
      source += `[${negated ? '^' : ''}${members}]`
      i = close
    } else source += escapeRegExp(c)
  }
  return new RegExp(`^${source}$`)
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** An include's path or pattern made absolute: a relative one is taken from the including file's directory. */
export function includePath(pattern: string, includingFile: string): string {
  return pattern.startsWith('/')
    ? pattern
    : `${includingFile.slice(0, includingFile.lastIndexOf('/')) || '/'}/${pattern}`
}

/** Host paths matching an absolute pattern, sorted; an empty list when nothing matches. */
export async function hostGlob(host: Host, pattern: string): Promise<string[]> {
  const components = pattern.split('/').filter((part) => part !== '')
  let candidates = ['']
  for (const [index, component] of components.entries()) {
    const isLast = index === components.length - 1
    const next: string[] = []
    for (const prefix of candidates) {
      if (!hasMagic(component)) {
        next.push(`${prefix}/${removeEscapes(component)}`)
        continue
      }
      const entries = (await host.readDir(prefix === '' ? '/' : prefix)) ?? []
      const matcher = globComponentRegExp(component)
      for (const entry of entries) {
        if (entry.name.startsWith('.') && !component.startsWith('.')) continue
        if (!isLast && entry.kind !== 'directory' && entry.kind !== 'symlink') continue
        if (matcher.test(entry.name)) next.push(`${prefix}/${entry.name}`)
      }
    }
    candidates = next
  }
  const found: string[] = []
  for (const candidate of candidates)
    if (candidate !== '' && (await host.lstat(candidate))) found.push(candidate)
  return found.sort(byBytes)
}
