/**
 * @module
 * Two network namespaces joined by a veth pair, each with its own BIRD 2 (own -s socket and -P
 * pidfile, lab pitfall 2): a *site* running the bird.conf of docs/anycast.md (anycast /32s and
 * /128s from `lo`, gated by the include file, plus the always-exported maintenance /32) and a
 * *router* peering with it over BGP. What the router has learned is what the site announces.
 * Nothing here touches the host's own network: only the namespaces this helper creates.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { run } from './running-bird.ts'

/** Addresses of the docs example (docs/anycast.md). */
export const labAddresses = {
  anycast: [
    '192.0.2.1/32',
    '192.0.2.2/32',
    '192.0.2.3/32',
    '2001:db8:53::1/128',
    '2001:db8:53::2/128',
    '2001:db8:53::3/128',
  ],
  maintenance: '198.51.100.10/32',
  site: '198.51.100.2/30',
  router: '198.51.100.1/30',
  site6: '2001:db8:ffff::2/64',
  router6: '2001:db8:ffff::1/64',
} as const

export interface BirdLab {
  readonly directory: string
  readonly site: string
  readonly router: string
  readonly siteSocket: string
  readonly routerSocket: string
  readonly siteConfig: string
  readonly includeFile: string
  /** Runs `birdc -s SOCKET ARGS` (the real client) and returns its output. */
  birdc(socket: string, ...args: string[]): Promise<string>
  /** Whether the router has a route for the prefix (learned over BGP from the site). */
  routerHas(prefix: string): Promise<boolean>
  /** Polls `routerHas` until it equals `present`; false when `timeoutMs` passes first. */
  waitForRoute(prefix: string, present: boolean, timeoutMs?: number): Promise<boolean>
  /** `ip netns exec NS ...` */
  exec(namespace: string, ...args: string[]): Promise<string>
  stop(): Promise<void>
}

/** The bird.conf example of docs/anycast.md with the test's include path and log file. */
export async function docsBirdConfig(includeFile: string, logFile: string): Promise<string> {
  const docs = await readFile(new URL('../../docs/anycast.md', import.meta.url), 'utf8')
  const marker = docs.indexOf('<!-- anycast-example-bird')
  if (marker < 0) throw new Error('bird.conf example missing in docs/anycast.md')
  const fence = docs.indexOf('```', marker)
  const body = docs.indexOf('\n', fence) + 1
  return docs
    .slice(body, docs.indexOf('```', body))
    .replace('/etc/bird/anycast-preflight.conf', includeFile)
    .replace('log syslog all;', `log "${logFile}" all;`)
}

const routerConfig = `router id 198.51.100.1;
protocol device { scan time 10; }
protocol bgp site {
  local 198.51.100.1 as 64500;
  neighbor 198.51.100.2 as 64501;
  hold time 9; keepalive time 3;
  connect delay time 1; connect retry time 1; error wait time 1, 2;
  graceful restart off;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
`

export const withdrawAllInclude = 'function preflight_anycast_export()\n{\n  return false;\n}\n'

/**
 * The site and router namespaces, lo up in each, joined by a veth pair (site up0 — router down0)
 * with the lab's IPv4 and IPv6 link addresses, and the site's maintenance /32 on lo. Each namespace
 * is pushed to `created` as soon as it exists, so a failure half-way still cleans up.
 */
export async function linkSiteAndRouter(site: string, router: string, created: string[]): Promise<void> {
  for (const namespace of [site, router]) {
    await run('ip', ['netns', 'add', namespace])
    created.push(namespace)
    await run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
  }
  await run('ip', [
    'link',
    'add',
    'up0',
    'netns',
    site,
    'type',
    'veth',
    'peer',
    'name',
    'down0',
    'netns',
    router,
  ])
  for (const [namespace, link, v4, v6] of [
    [site, 'up0', labAddresses.site, labAddresses.site6],
    [router, 'down0', labAddresses.router, labAddresses.router6],
  ] as const) {
    await run('ip', ['-n', namespace, 'addr', 'add', v4, 'dev', link])
    await run('ip', ['-n', namespace, 'addr', 'add', v6, 'dev', link, 'nodad'])
    await run('ip', ['-n', namespace, 'link', 'set', link, 'up'])
  }
  await run('ip', ['-n', site, 'addr', 'add', labAddresses.maintenance, 'dev', 'lo'])
}

/** Stops every process inside the test's namespaces (by PID, nothing outside them) and deletes them. */
export async function removeNamespaces(namespaces: readonly string[]): Promise<void> {
  for (const namespace of namespaces) {
    const pids = execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        // already gone
      }
    }
    await run('ip', ['netns', 'del', namespace]).catch(() => undefined)
  }
}

export async function startBirdLab(tag: string): Promise<BirdLab> {
  const directory = await mkdtemp(path.join(tmpdir(), `preflight-${tag}-`))
  const prefix = `pfa${process.pid}${tag}`.slice(0, 12)
  const site = `${prefix}-s`
  const router = `${prefix}-r`
  const siteSocket = path.join(directory, 'site.ctl')
  const routerSocket = path.join(directory, 'router.ctl')
  const includeFile = path.join(directory, 'anycast-preflight.conf')
  const siteConfig = path.join(directory, 'site-bird.conf')
  const routerConfigFile = path.join(directory, 'router-bird.conf')
  const created: string[] = []

  const exec = (namespace: string, ...args: string[]) => run('ip', ['netns', 'exec', namespace, ...args])
  // birdc exits 1 for BIRD's error replies; its output is what the tests look at either way.
  const birdc = (socket: string, ...args: string[]) =>
    new Promise<string>((resolve) => {
      execFile(
        'birdc',
        ['-s', socket, ...args],
        { timeout: 10_000, encoding: 'utf8' },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      )
    })
  const routerHas = async (prefixText: string) => {
    const output = await birdc(routerSocket, 'show', 'route', prefixText)
    return output.includes(prefixText) && !/Network not found/.test(output)
  }

  const stop = async () => {
    await removeNamespaces(created)
    await rm(directory, { recursive: true, force: true })
  }

  try {
    await linkSiteAndRouter(site, router, created)

    await writeFile(includeFile, withdrawAllInclude)
    await writeFile(siteConfig, await docsBirdConfig(includeFile, path.join(directory, 'site-bird.log')))
    await writeFile(routerConfigFile, routerConfig)
    await exec(site, 'bird', '-c', siteConfig, '-s', siteSocket, '-P', path.join(directory, 'site.pid'))
    await exec(
      router,
      'bird',
      '-c',
      routerConfigFile,
      '-s',
      routerSocket,
      '-P',
      path.join(directory, 'router.pid'),
    )

    const lab: BirdLab = {
      directory,
      site,
      router,
      siteSocket,
      routerSocket,
      siteConfig,
      includeFile,
      birdc,
      routerHas,
      exec,
      stop,
      async waitForRoute(prefixText, present, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs
        while (Date.now() < deadline) {
          if ((await routerHas(prefixText)) === present) return true
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        return false
      },
    }
    // The maintenance /32 is exported without the anycast function: its arrival means BGP is up.
    if (!(await lab.waitForRoute(labAddresses.maintenance, true, 15_000))) {
      throw new Error(
        `BGP between ${site} and ${router} did not come up: ${await birdc(routerSocket, 'show', 'protocols', 'all', 'site')}`,
      )
    }
    return lab
  } catch (error) {
    await stop()
    throw error
  }
}
