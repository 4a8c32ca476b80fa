/**
 * @module
 * The three-site anycast lab of tools/anycast-lab/lab.sh, built in network namespaces this
 * harness creates (`pflab<pid>-client|router|eu|apac|us`): a client, a BGP router and three DNS
 * sites, each with the anycast /32s and its maintenance /32 on lo, NSD bound to them, BIRD 2
 * announcing them (eu nearest by AS-path length, then apac, then us), and a checker in front of
 * BIRD: preflight's anycast daemon or the lab's healthcheck.sh. Only documentation ranges are
 * used and no namespace has a link to the host's network.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { sendControlRequest } from '../../../src/anycast/control/control-client.ts'
import { type ProbeSample, parseSample } from './dns-probe.ts'
import {
  anycastAddresses,
  type CheckerKind,
  checkerTiming,
  clientAddress,
  daemonConfig,
  type LabTiming,
  nsdConfig,
  routerBirdConfig,
  routerClientAddress,
  type SiteName,
  type SitePlan,
  siteBirdConfig,
  sitePlans,
  withdrawAllInclude,
  zoneFile,
} from './lab-configs.ts'
import {
  alive,
  deleteNamespace,
  inNamespace,
  namespacePids,
  namespacePrefix,
  processName,
  removeStaleNamespaces,
  run,
  signal,
} from './namespaces.ts'

const repository = path.resolve(import.meta.dirname, '../../..')
const preflightMain = path.join(repository, 'src/cli/main.ts')
const healthcheckScript = path.join(repository, 'test/fixtures/anycast-lab/healthcheck.sh')

export interface LabOptions {
  checker: CheckerKind
  timing?: Partial<LabTiming>
}

export interface AnycastLab {
  readonly directory: string
  readonly checker: CheckerKind
  readonly timing: LabTiming
  namespace(node: SiteName | 'router' | 'client'): string
  siteDirectory(site: SiteName): string
  birdc(node: SiteName | 'router', ...command: string[]): Promise<string>
  /** Which site the client's query to the anycast address reaches now (dig, one try). */
  whoAnswers(address?: string): Promise<string>
  /** Polls `whoAnswers` until it is `site`; false after `timeoutMs`. */
  waitForSite(site: string, timeoutMs?: number, address?: string): Promise<boolean>
  startNsd(site: SiteName): Promise<void>
  /** SIGKILL for every NSD process of the site. */
  killNsd(site: SiteName): Promise<void>
  startChecker(site: SiteName): Promise<void>
  stopChecker(site: SiteName): Promise<void>
  /**
   * Planned drain through the checker: `preflight anycast drain` (or, with `through:
   * 'control-socket'`, the same request sent from this process, without the CLI's start-up), or
   * the shell checker's maintenance file.
   */
  drain(site: SiteName, through?: DrainPath): Promise<void>
  undrain(site: SiteName, through?: DrainPath): Promise<void>
  /** SIGSTOP for every process in the site's namespace (a hung node, lab pitfall 8); returns them for thaw. */
  freeze(site: SiteName): Promise<number[]>
  thaw(pids: readonly number[]): void
  /** JSON log lines of the site's preflight daemon so far. */
  daemonEvents(site: SiteName): Promise<{ time: number; event?: string; state?: string }[]>
  /** The client probe: a query every 20 ms, each lost after `timeoutMs` (100 ms, as the lab's probe.py). */
  startProbe(timeoutMs?: number): Probe
  stop(): Promise<void>
}

export type DrainPath = 'cli' | 'control-socket'

export interface Probe {
  readonly samples: ProbeSample[]
  stop(): Promise<void>
}

/** Why the lab cannot run here; undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the anycast lab needs root (network namespaces)'
  for (const command of ['bird', 'birdc', 'nsd', 'dig', 'ip']) {
    const found = (process.env.PATH ?? '')
      .split(':')
      .concat(['/usr/sbin', '/sbin'])
      .some((dir) => existsSync(path.join(dir, command)))
    if (!found) return `the anycast lab needs ${command} (apt-get install bird2 nsd dnsutils iproute2)`
  }
  return undefined
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
  return false
}

const labDirectoryPrefix = 'preflight-anycast-lab-'

/** Namespaces and state directories of earlier runs whose process is gone (a crashed run). */
async function removeStaleRuns(): Promise<void> {
  await removeStaleNamespaces()
  for (const name of await readdir(tmpdir())) {
    const owner = new RegExp(`^${labDirectoryPrefix}(\\d+)-`).exec(name)?.[1]
    if (owner !== undefined && Number(owner) !== process.pid && !alive(Number(owner))) {
      await rm(path.join(tmpdir(), name), { recursive: true, force: true })
    }
  }
}

export async function startAnycastLab(options: LabOptions): Promise<AnycastLab> {
  await removeStaleRuns()
  const timing: LabTiming = { holdSeconds: 9, keepaliveSeconds: 3, bfd: false, ...options.timing }
  const { checker } = options
  const directory = await mkdtemp(path.join(tmpdir(), `${labDirectoryPrefix}${process.pid}-`))
  const prefix = `${namespacePrefix}${process.pid}`
  const namespace = (node: string) => `${prefix}-${node}`
  const siteDirectory = (site: SiteName) => path.join(directory, site)
  const routerDirectory = path.join(directory, 'router')
  const created: string[] = []
  const children = new Map<string, ChildProcess>()
  const probes: Probe[] = []

  const birdc = (node: SiteName | 'router', ...command: string[]) =>
    new Promise<string>((resolve) => {
      const socket = path.join(node === 'router' ? routerDirectory : siteDirectory(node), 'bird.ctl')
      // birdc exits 1 on BIRD's error replies; the text is what callers read.
      execFile(
        'birdc',
        ['-s', socket, ...command],
        { timeout: 10_000, encoding: 'utf8' },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      )
    })

  /** BIRD in network namespace `netns`, with bird.conf, its control socket (what `birdc` asks) and pidfile in `dir`. */
  const startBird = (netns: string, dir: string) =>
    inNamespace(
      netns,
      'bird',
      '-c',
      path.join(dir, 'bird.conf'),
      '-s',
      path.join(dir, 'bird.ctl'),
      '-P',
      path.join(dir, 'bird.pid'),
    )

  const whoAnswers = async (address: string = anycastAddresses[0]) => {
    const output = await inNamespace(
      namespace('client'),
      'dig',
      '+time=1',
      '+tries=1',
      '+short',
      `@${address}`,
      'whoami.lab.test',
      'TXT',
    ).catch(() => '')
    return output.trim().replaceAll('"', '')
  }

  const spawnLogged = (
    key: string,
    logFile: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ) => {
    const child = spawn(command, args, {
      cwd: repository,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const log = createWriteStream(logFile, { flags: 'a' })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    children.set(key, child)
    return child
  }

  const stopChild = async (key: string) => {
    const child = children.get(key)
    children.delete(key)
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }

  const plan = (site: SiteName) => sitePlans.find((candidate) => candidate.name === site) as SitePlan

  const nsdPids = async (site: SiteName) => {
    const pids: number[] = []
    // NSD names its processes `nsd: main`, `nsd: xfrd`, `nsd: server 1` (lab pitfall 8: several of them).
    for (const pid of await namespacePids(namespace(site)))
      if ((await processName(pid))?.startsWith('nsd')) pids.push(pid)
    return pids
  }

  const control = async (site: SiteName, command: 'drain' | 'undrain', through: DrainPath) => {
    const config = path.join(siteDirectory(site), 'anycast.conf')
    if (through === 'cli') {
      await run(
        process.execPath,
        ['--import', 'tsx', preflightMain, 'anycast', command, '--config', config, '--timeout', '10s'],
        30_000,
      )
      return
    }
    const response = await sendControlRequest(
      path.join(siteDirectory(site), 'anycast.sock'),
      { command, services: [], waitMs: 10_000 },
      20_000,
    )
    if (!response.ok) throw new Error(`${command}: ${response.error}`)
  }

  const lab: AnycastLab = {
    directory,
    checker,
    timing,
    namespace,
    siteDirectory,
    birdc,
    whoAnswers,
    waitForSite: (site, timeoutMs = 30_000, address?: string) =>
      waitFor(async () => (await whoAnswers(address)) === site, timeoutMs),

    async startNsd(site) {
      const dir = siteDirectory(site)
      spawnLogged(`nsd-${site}`, path.join(dir, 'nsd.out'), 'ip', [
        'netns',
        'exec',
        namespace(site),
        'nsd',
        '-d',
        '-c',
        path.join(dir, 'nsd.conf'),
      ])
      const ready = await waitFor(async () => {
        const output = await inNamespace(
          namespace(site),
          'dig',
          '+time=1',
          '+tries=1',
          '+short',
          `@${plan(site).maintenance}`,
          'whoami.lab.test',
          'TXT',
        ).catch(() => '')
        return output.includes(site)
      }, 10_000)
      if (!ready) throw new Error(`NSD of ${site} did not answer (see ${dir}/nsd.log)`)
    },

    async killNsd(site) {
      children.delete(`nsd-${site}`)
      signal(await nsdPids(site), 'SIGKILL')
    },

    async startChecker(site) {
      const dir = siteDirectory(site)
      if (checker === 'preflight') {
        spawnLogged(`checker-${site}`, path.join(dir, 'daemon.log'), 'ip', [
          'netns',
          'exec',
          namespace(site),
          process.execPath,
          '--import',
          'tsx',
          preflightMain,
          'anycast',
          'run',
          '--config',
          path.join(dir, 'anycast.conf'),
        ])
      } else {
        spawnLogged(
          `checker-${site}`,
          path.join(dir, 'healthcheck.out'),
          'ip',
          [
            'netns',
            'exec',
            namespace(site),
            'bash',
            healthcheckScript,
            site,
            path.join(dir, 'bird.ctl'),
            path.join(dir, 'anycast-export.conf'),
            anycastAddresses.map((address) => `${address}/32`).join(','),
            anycastAddresses[0],
          ],
          {
            INTERVAL: String(checkerTiming.intervalMs / 1000),
            FALL: String(checkerTiming.fall),
            RISE: String(checkerTiming.rise),
            HOLDDOWN: String(checkerTiming.holdDownMs / 1000),
            HOLDDOWN_MAX: '30',
            MAX_RUNTIME: '900',
          },
        )
      }
    },

    stopChecker: (site) => stopChild(`checker-${site}`),

    async drain(site, through = 'cli') {
      if (checker === 'shell') {
        await writeFile(path.join(siteDirectory(site), 'maintenance'), '')
        return
      }
      await control(site, 'drain', through)
    },

    async undrain(site, through = 'cli') {
      if (checker === 'shell') {
        await rm(path.join(siteDirectory(site), 'maintenance'), { force: true })
        return
      }
      await control(site, 'undrain', through)
    },

    async freeze(site) {
      const pids = await namespacePids(namespace(site))
      signal(pids, 'SIGSTOP')
      return pids
    },

    thaw: (pids) => signal(pids, 'SIGCONT'),

    async daemonEvents(site) {
      const text = await readFile(path.join(siteDirectory(site), 'daemon.log'), 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          const entry = JSON.parse(line) as { time: string | number; event?: string; state?: string }
          return { ...entry, time: typeof entry.time === 'number' ? entry.time : Date.parse(entry.time) }
        })
    },

    startProbe(timeoutMs = 100) {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          namespace('client'),
          process.execPath,
          '--import',
          'tsx',
          path.join(import.meta.dirname, 'dns-probe-main.ts'),
          anycastAddresses[0],
          '600000',
          String(timeoutMs),
        ],
        { cwd: repository, stdio: ['ignore', 'pipe', 'inherit'] },
      )
      const samples: ProbeSample[] = []
      createInterface({ input: child.stdout }).on('line', (line) => {
        const sample = parseSample(line)
        if (sample) samples.push(sample)
      })
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const probe: Probe = {
        samples,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      }
      probes.push(probe)
      return probe
    },

    async stop() {
      for (const probe of probes) await probe.stop().catch(() => undefined)
      // The daemons withdraw and clean up on SIGTERM; whatever is left is stopped with its namespace.
      for (const key of [...children.keys()].filter((k) => k.startsWith('checker-')))
        await stopChild(key).catch(() => undefined)
      for (const name of created.reverse()) await deleteNamespace(name)
      for (const child of children.values()) child.kill('SIGKILL')
      await rm(directory, { recursive: true, force: true })
    },
  }

  try {
    const nodes = ['client', 'router', ...sitePlans.map((site) => site.name)]
    for (const node of nodes) {
      await run('ip', ['netns', 'add', namespace(node)])
      created.push(namespace(node))
      // A new namespace starts with lo down (lab pitfall 3).
      await run('ip', ['-n', namespace(node), 'link', 'set', 'lo', 'up'])
    }
    const router = namespace('router')
    const client = namespace('client')
    await run('ip', [
      'link',
      'add',
      'up0',
      'netns',
      client,
      'type',
      'veth',
      'peer',
      'name',
      'r-client',
      'netns',
      router,
    ])
    await run('ip', ['-n', client, 'addr', 'add', `${clientAddress}/30`, 'dev', 'up0'])
    await run('ip', ['-n', router, 'addr', 'add', `${routerClientAddress}/30`, 'dev', 'r-client'])
    await run('ip', ['-n', client, 'link', 'set', 'up0', 'up'])
    await run('ip', ['-n', router, 'link', 'set', 'r-client', 'up'])
    // Only lab prefixes are routed from the client: there is no default route anywhere.
    await run('ip', ['-n', client, 'route', 'add', '203.0.113.0/24', 'via', routerClientAddress])
    await run('ip', ['-n', client, 'route', 'add', '198.51.100.64/26', 'via', routerClientAddress])
    await inNamespace(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')

    for (const site of sitePlans) {
      const ns = namespace(site.name)
      const dir = siteDirectory(site.name)
      await mkdir(dir, { recursive: true })
      await run('ip', [
        'link',
        'add',
        'up0',
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        `r-${site.name}`,
        'netns',
        router,
      ])
      await run('ip', ['-n', ns, 'addr', 'add', `${site.siteAddress}/30`, 'dev', 'up0'])
      await run('ip', ['-n', router, 'addr', 'add', `${site.routerAddress}/30`, 'dev', `r-${site.name}`])
      await run('ip', ['-n', ns, 'link', 'set', 'up0', 'up'])
      await run('ip', ['-n', router, 'link', 'set', `r-${site.name}`, 'up'])
      // The addresses are on lo before NSD binds them (lab pitfall 9); the daemon finds them present.
      for (const address of [...anycastAddresses, site.maintenance]) {
        await run('ip', ['-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'lo'])
      }
      await writeFile(path.join(dir, 'nsd.conf'), nsdConfig(site, dir))
      await writeFile(path.join(dir, 'lab.test.zone'), zoneFile(site))
      await writeFile(path.join(dir, 'anycast-export.conf'), withdrawAllInclude(checker))
      await writeFile(path.join(dir, 'bird.conf'), siteBirdConfig(site, dir, checker, timing))
      if (checker === 'preflight') await writeFile(path.join(dir, 'anycast.conf'), daemonConfig(site, dir))
      await run('nsd-checkconf', [path.join(dir, 'nsd.conf')])
      await lab.startNsd(site.name)
      await startBird(ns, dir)
    }
    await mkdir(routerDirectory, { recursive: true })
    await writeFile(path.join(routerDirectory, 'bird.conf'), routerBirdConfig(routerDirectory, timing))
    await startBird(router, routerDirectory)
    const established = await waitFor(
      async () =>
        ((await birdc('router', 'show', 'protocols')).match(/Established/g) ?? []).length ===
        sitePlans.length,
      30_000,
    )
    if (!established) throw new Error(`BGP did not come up: ${await birdc('router', 'show', 'protocols')}`)
    for (const site of sitePlans) await lab.startChecker(site.name)
    if (!(await lab.waitForSite('eu', 60_000))) {
      throw new Error(
        `the client never reached eu: ${await birdc('router', 'show', 'route', `${anycastAddresses[0]}/32`, 'all')}`,
      )
    }
    return lab
  } catch (error) {
    await lab.stop()
    throw error
  }
}
