/**
 * @module
 * SELinux as configured for the next boot (/etc/selinux/config, plus selinux=/enforcing= kernel
 * arguments in /etc/default/grub and the legacy /boot/grub/grub.conf) and, on a live host, as it
 * runs now (selinuxfs in /proc/self/mounts and its `enforce` file). No /etc/selinux/config means
 * SELinux is not installed: libselinux then never loads a policy.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import { splitLines } from './ini/parse-ini.ts'

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled'

export interface SelinuxConfig {
  file: string
  /** SELINUX=, lower-cased as libselinux compares it; absent when the line is missing or invalid. */
  mode?: SelinuxMode
  modeLine?: number
  /** SELINUXTYPE= ('targeted', 'mls', 'minimum'). */
  policy?: string
  policyLine?: number
}

export interface SelinuxKernelArgument {
  file: string
  line: number
  /** 'selinux=0', 'enforcing=0', … as written. */
  argument: string
}

export interface Selinux {
  /** Whether /etc/selinux/config exists. */
  installed: boolean
  config?: SelinuxConfig
  /** Live hosts only: what the running kernel enforces right now. */
  runtime?: { selinuxfsMounted: boolean; mode: SelinuxMode }
  kernelArguments: SelinuxKernelArgument[]
  warnings: ParseWarning[]
}

const configFile = '/etc/selinux/config'
const modes = new Set<string>(['enforcing', 'permissive', 'disabled'])

export function parseSelinuxConfig(
  text: string,
  file = configFile,
): { config: SelinuxConfig; warnings: ParseWarning[] } {
  const config: SelinuxConfig = { file }
  const warnings: ParseWarning[] = []
  splitLines(text).forEach(({ text: raw }, index) => {
    const line = index + 1
    const content = raw.trim()
    if (content === '' || content.startsWith('#')) return
    const eq = content.indexOf('=')
    if (eq <= 0) {
      warnings.push({ file, line, message: `expected KEY=value, found '${content}'` })
      return
    }
    const key = content.slice(0, eq).trim()
    const value = content.slice(eq + 1).trim()
    const earlierLine =
      key === 'SELINUX' ? config.modeLine : key === 'SELINUXTYPE' ? config.policyLine : undefined
    if (earlierLine !== undefined) {
      warnings.push({
        file,
        line,
        message: `${key} is set again (first at line ${earlierLine}); libselinux reads the first`,
      })
      return
    }
    if (key === 'SELINUX') {
      config.modeLine = line
      if (modes.has(value.toLowerCase())) config.mode = value.toLowerCase() as SelinuxMode
      else
        warnings.push({ file, line, message: `SELINUX='${value}' is not enforcing, permissive or disabled` })
    } else if (key === 'SELINUXTYPE') {
      config.policy = value
      config.policyLine = line
    }
  })
  return { config, warnings }
}

/** selinux= and enforcing= tokens of a kernel command line. */
function selinuxArguments(commandLine: string): string[] {
  return commandLine.split(/\s+/).filter((token) => /^(selinux|enforcing)=/.test(token))
}

async function kernelArguments(host: Host): Promise<SelinuxKernelArgument[]> {
  const found: SelinuxKernelArgument[] = []
  const scan = async (file: string, relevant: (line: string) => boolean) => {
    const text = await host.readText(file)
    if (text === undefined) return
    splitLines(text).forEach(({ text: line }, index) => {
      if (!relevant(line)) return
      for (const argument of selinuxArguments(line))
        found.push({ file, line: index + 1, argument: argument.replace(/["']/g, '') })
    })
  }
  if (host.live) await scan('/proc/cmdline', () => true)
  await scan('/etc/default/grub', (line) => /^\s*GRUB_CMDLINE_LINUX(_DEFAULT)?=/.test(line))
  await scan('/boot/grub/grub.conf', (line) => /^\s*kernel\s/.test(line))
  return found
}

async function runtimeMode(host: Host): Promise<Selinux['runtime']> {
  const mounts = (await host.readText('/proc/self/mounts')) ?? ''
  const mountPoint = mounts
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[2] === 'selinuxfs')?.[1]
  if (mountPoint === undefined) return { selinuxfsMounted: false, mode: 'disabled' }
  const enforce = (await host.readText(`${mountPoint}/enforce`))?.trim()
  return { selinuxfsMounted: true, mode: enforce === '1' ? 'enforcing' : 'permissive' }
}

export const selinux = defineFact({
  id: 'selinux',
  title: 'SELinux',
  async collect({ host }): Promise<Selinux> {
    const text = await host.readText(configFile)
    const parsed = text === undefined ? undefined : parseSelinuxConfig(text)
    return {
      installed: parsed !== undefined,
      ...(parsed ? { config: parsed.config } : {}),
      ...(host.live ? { runtime: await runtimeMode(host) } : {}),
      kernelArguments: await kernelArguments(host),
      warnings: parsed?.warnings ?? [],
    }
  },
})
