/**
 * @module
 * A real NSD for tests: its own config, zone and pidfile in a temp directory, in the foreground
 * (`nsd -d`) so the test owns its process, optionally inside a network namespace. Ready once
 * `dig` (an independent DNS implementation) gets an answer from it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const testZone = 'anycast.test'

export interface NsdServer {
  readonly address: string
  readonly port: number
  readonly process: ChildProcess
  stop(): Promise<void>
}

export interface NsdOptions {
  /** Addresses to answer on (all in the same namespace). */
  readonly addresses: readonly string[]
  readonly port: number
  /** Run inside this network namespace (`ip netns exec`). */
  readonly namespace?: string
  /** Written into the whoami TXT record. */
  readonly identity?: string
}

function digOnce(address: string, port: number, namespace: string | undefined): Promise<boolean> {
  const args = ['+time=1', '+tries=1', '+short', `-p${port}`, `@${address}`, testZone, 'SOA']
  const [command, ...rest] = namespace ? ['ip', 'netns', 'exec', namespace, 'dig', ...args] : ['dig', ...args]
  return new Promise((resolve) => {
    execFile(command ?? 'dig', rest, { timeout: 3000 }, (error, stdout) =>
      resolve(!error && stdout.trim() !== ''),
    )
  })
}

/**
 * `server:` options that keep an NSD for tests to itself: no privilege drop or chroot, every file
 * it writes inside `directory`, and no control socket; followed by the `remote-control:` clause.
 */
export function nsdScratchServerOptions(directory: string): string[] {
  return [
    '    username: ""',
    '    chroot: ""',
    `    zonesdir: "${directory}"`,
    `    pidfile: "${path.join(directory, 'nsd.pid')}"`,
    '    database: ""',
    `    zonelistfile: "${path.join(directory, 'zone.list')}"`,
    `    xfrdfile: "${path.join(directory, 'xfrd.state')}"`,
    `    xfrdir: "${directory}"`,
    `    logfile: "${path.join(directory, 'nsd.log')}"`,
    '    verbosity: 1',
    'remote-control:',
    '    control-enable: no',
  ]
}

export async function startNsd(directory: string, options: NsdOptions): Promise<NsdServer> {
  await mkdir(directory, { recursive: true })
  const identity = options.identity ?? 'test'
  const zone = [
    `$ORIGIN ${testZone}.`,
    '$TTL 60',
    `@ IN SOA ns.${testZone}. hostmaster.${testZone}. 1 3600 600 86400 60`,
    `@ IN NS ns.${testZone}.`,
    'ns IN A 192.0.2.53',
    `whoami IN TXT "${identity}"`,
    '',
  ].join('\n')
  const config = [
    'server:',
    '    server-count: 1',
    ...options.addresses.map((address) => `    ip-address: ${address}`),
    `    port: ${options.port}`,
    `    identity: "${identity}"`,
    ...nsdScratchServerOptions(directory),
    'zone:',
    `    name: "${testZone}"`,
    '    zonefile: "zone.db"',
    '',
  ].join('\n')
  await writeFile(path.join(directory, 'zone.db'), zone)
  const configFile = path.join(directory, 'nsd.conf')
  await writeFile(configFile, config)
  const nsdArgs = ['-d', '-c', configFile]
  const child = options.namespace
    ? spawn('ip', ['netns', 'exec', options.namespace, 'nsd', ...nsdArgs], { stdio: 'ignore' })
    : spawn('nsd', nsdArgs, { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const address = options.addresses[0] ?? '127.0.0.1'
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`nsd exited with ${child.exitCode} (see ${directory}/nsd.log)`)
    if (await digOnce(address, options.port, options.namespace)) {
      return { address, port: options.port, process: child, stop }
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await stop()
  throw new Error(`nsd did not answer on ${address}:${options.port} within 5s`)
}
