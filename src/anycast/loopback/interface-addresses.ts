/**
 * @module
 * The addresses on an interface, read and changed with iproute2 (`ip -j addr`, `ip addr add|del`).
 * Add and remove are idempotent: they look first and treat "already there" / "already gone" as
 * success, so a retry after a half-finished run never fails on its own earlier work.
 */
import { execFile } from 'node:child_process'
import { canonicalAddress, type IpPrefix } from '../ip-prefix.ts'

export interface InterfaceAddresses {
  /** Canonical `address/length` texts on the interface; throws when the interface does not exist. */
  list(device: string): Promise<Set<string>>
  add(device: string, prefix: IpPrefix): Promise<'added' | 'present'>
  remove(device: string, prefix: IpPrefix): Promise<'removed' | 'absent'>
}

export interface IpCommandOptions {
  /** @default 'ip' */
  readonly command?: string
  /** @default 5000 */
  readonly timeout?: number
  /** Work in this network namespace (`ip -n NS`) instead of the daemon's own. */
  readonly namespace?: string
}

export class IpCommandError extends Error {
  override readonly name = 'IpCommandError'
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`ip ${args.join(' ')}: ${stderr.trim() || 'failed'}`)
  }
}

interface IpJsonInterface {
  addr_info?: { local?: string; prefixlen?: number }[]
}

/** Parses `ip -j addr show` output into canonical `address/length` texts. */
export function parseIpAddrJson(json: string): Set<string> {
  const found = new Set<string>()
  for (const entry of JSON.parse(json) as IpJsonInterface[]) {
    for (const info of entry.addr_info ?? []) {
      if (info.local === undefined || info.prefixlen === undefined) continue
      found.add(`${canonicalAddress(info.local)}/${info.prefixlen}`)
    }
  }
  return found
}

export function ipCommandAddresses(options: IpCommandOptions = {}): InterfaceAddresses {
  const command = options.command ?? 'ip'
  const timeout = options.timeout ?? 5000
  const namespaceArgs = options.namespace ? ['-n', options.namespace] : []
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        command,
        [...namespaceArgs, ...args],
        { timeout, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) reject(new IpCommandError(args, stderr || error.message))
          else resolve(stdout)
        },
      )
    })
  const list = async (device: string) => parseIpAddrJson(await run(['-j', 'addr', 'show', 'dev', device]))
  return {
    list,
    async add(device, prefix) {
      if ((await list(device)).has(prefix.text)) return 'present'
      // No duplicate address detection: an anycast address is meant to exist elsewhere too.
      const args = ['addr', 'add', prefix.text, 'dev', device, ...(prefix.family === 6 ? ['nodad'] : [])]
      try {
        await run(args)
        return 'added'
      } catch (error) {
        if (error instanceof IpCommandError && /File exists/.test(error.stderr)) return 'present'
        throw error
      }
    },
    async remove(device, prefix) {
      if (!(await list(device)).has(prefix.text)) return 'absent'
      try {
        await run(['addr', 'del', prefix.text, 'dev', device])
        return 'removed'
      } catch (error) {
        if (error instanceof IpCommandError && /Cannot assign requested address/.test(error.stderr))
          return 'absent'
        throw error
      }
    },
  }
}
