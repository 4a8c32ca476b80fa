/**
 * @module
 * systemd unit names as systemd itself classifies them: plain (`sshd.service`), template
 * (`getty@.service`) or instance (`getty@tty1.service`). Anything else in a unit directory
 * (`README`, `foo.conf`) is not a unit and `systemctl list-unit-files` skips it.
 */

const unitTypes = new Set([
  'service',
  'mount',
  'swap',
  'socket',
  'target',
  'device',
  'automount',
  'timer',
  'path',
  'slice',
  'scope',
])

/** Types that may have templates and instances; others (`foo@.mount`) are refused when loaded. */
const templatableTypes = new Set(['service', 'socket', 'target', 'timer', 'path'])

/** Types that may be aliased by a symlink inside the unit search path. */
const aliasableTypes = new Set(['service', 'socket', 'target', 'device', 'timer', 'path'])

/** systemd refuses names of 256 characters or more. */
const maxNameLength = 255

export type UnitNameKind = 'plain' | 'template' | 'instance'

function isValidChar(char: string): boolean {
  return /[0-9A-Za-z:\-_.\\@]/.test(char)
}

function kindOf(name: string): UnitNameKind | undefined {
  if (name.length === 0 || name.length > maxNameLength) return undefined
  const dot = name.lastIndexOf('.')
  if (dot <= 0 || !unitTypes.has(name.slice(dot + 1))) return undefined
  for (let i = 0; i < dot; i++) if (!isValidChar(name.charAt(i))) return undefined
  const at = name.indexOf('@')
  if (at === 0) return undefined
  if (at < 0 || at > dot) return 'plain'
  return at + 1 === dot ? 'template' : 'instance'
}

export const unitName = {
  kind: kindOf,

  isValid(name: string): boolean {
    return kindOf(name) !== undefined
  },

  /** 'service' for 'sshd.service'. */
  type(name: string): string {
    return name.slice(name.lastIndexOf('.') + 1)
  },

  mayTemplate(name: string): boolean {
    return templatableTypes.has(unitName.type(name))
  },

  mayAlias(name: string): boolean {
    return aliasableTypes.has(unitName.type(name))
  },

  /** 'getty@.service' for 'getty@tty1.service'; undefined for anything but an instance. */
  templateOf(name: string): string | undefined {
    if (kindOf(name) !== 'instance') return undefined
    return `${name.slice(0, name.indexOf('@') + 1)}${name.slice(name.lastIndexOf('.'))}`
  },

  /** 'tty1' for 'getty@tty1.service'. */
  instanceOf(name: string): string | undefined {
    if (kindOf(name) !== 'instance') return undefined
    return name.slice(name.indexOf('@') + 1, name.lastIndexOf('.'))
  },

  /** 'getty@tty1.service' from 'getty@.service' (or from another instance) and 'tty1'. */
  withInstance(name: string, instance: string): string {
    return `${name.slice(0, name.indexOf('@') + 1)}${instance}${name.slice(name.lastIndexOf('.'))}`
  },
}
