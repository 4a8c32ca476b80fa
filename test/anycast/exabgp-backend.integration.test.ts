/**
 * The ExaBGP backend against a real ExaBGP 4: a site namespace where ExaBGP runs
 * `preflight anycast run` as its API process (backend = exabgp, ExaBGP's default acks) next to a
 * real NSD, and a router namespace whose BIRD 2 peers with ExaBGP over one BGP session per address
 * family. What the router learns is what the daemon told ExaBGP. All traffic stays in the two
 * namespaces this test creates (and the control socket, a file).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, test } from 'node:test'
import { runCli } from '../cli/run-cli.ts'
import { labAddresses, linkSiteAndRouter, removeNamespaces } from '../helpers/bird-lab.ts'
import { type NsdServer, startNsd, testZone } from '../helpers/nsd-server.ts'
import { birdUnavailable, run } from '../helpers/running-bird.ts'
import { until } from '../helpers/until.ts'

const repository = path.resolve(import.meta.dirname, '../..')
const anycast4 = labAddresses.anycast.filter((prefix) => !prefix.includes(':'))
const anycast6 = labAddresses.anycast.filter((prefix) => prefix.includes(':'))
// ExaBGP starts its processes in `/`, where a bare `--import tsx` would not resolve.
const daemonCommand = [
  process.execPath,
  '--import',
  import.meta.resolve('tsx'),
  path.join(repository, 'src/cli/main.ts'),
]
const address = (prefix: string) => prefix.split('/')[0] ?? ''

function exabgpUnavailable(): string | undefined {
  const bird = birdUnavailable()
  if (bird) return bird
  try {
    execFileSync('exabgp', ['--version'], { stdio: 'ignore' })
  } catch {
    return 'needs exabgp installed'
  }
  return undefined
}

const routerBirdConfig = `router id 198.51.100.1;
protocol device { scan time 10; }
template bgp exabgp_site {
  local as 64500;
  hold time 9; keepalive time 3;
  connect delay time 1; connect retry time 1; error wait time 1, 2;
  graceful restart off;
}
protocol bgp site from exabgp_site {
  neighbor ${address(labAddresses.site)} as 64501;
  ipv4 { import all; export none; };
}
protocol bgp site6 from exabgp_site {
  neighbor ${address(labAddresses.site6)} as 64501;
  ipv6 { import all; export none; };
}
`

/** The exabgp.conf example of docs/anycast.md, its process running this checkout's daemon. */
async function docsExabgpConfig(daemonConfig: string): Promise<string> {
  const docs = await readFile(path.join(repository, 'docs/anycast.md'), 'utf8')
  const marker = docs.indexOf('<!-- anycast-example-exabgp')
  assert.ok(marker >= 0, 'exabgp.conf example missing in docs/anycast.md')
  const fence = docs.indexOf('```', marker)
  const body = docs.indexOf('\n', fence) + 1
  const example = docs.slice(body, docs.indexOf('```', body))
  const run = 'run /usr/bin/preflight anycast run --config /etc/preflight/anycast.conf;'
  assert.ok(example.includes(run), 'the docs example runs /usr/bin/preflight')
  return example.replace(run, `run ${daemonCommand.join(' ')} anycast run --config ${daemonConfig};`)
}

interface LogLine {
  event?: string
  prefix?: string
  reply?: string
  reason?: string
  withdrawn?: boolean
  msg?: string
}

describe('preflight anycast run under a real ExaBGP, BIRD 2 as the router', {
  skip: exabgpUnavailable(),
}, () => {
  let directory: string
  const namespaces: string[] = []
  const tag = `pfx${process.pid}`.slice(0, 12)
  const site = `${tag}-s`
  const router = `${tag}-r`
  let routerSocket: string
  let socket: string
  let nsdDirectory: string
  let nsd: NsdServer | undefined
  let exabgp: ChildProcess | undefined
  let exabgpExit: Promise<number | null>
  const logs: LogLine[] = []
  const exabgpLog: string[] = []

  const birdc = (...args: string[]) =>
    new Promise<string>((resolve) => {
      execFile(
        'birdc',
        ['-s', routerSocket, ...args],
        { timeout: 10_000, encoding: 'utf8' },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      )
    })
  const routerHas = async (prefix: string) => {
    const output = await birdc('show', 'route', prefix)
    return output.includes(prefix) && !/Network not found/.test(output)
  }
  const routerHasAll = async (present: boolean) => {
    for (const prefix of labAddresses.anycast) if ((await routerHas(prefix)) !== present) return false
    return true
  }
  const sessionsEstablished = async () =>
    /Established/.test(await birdc('show', 'protocols', 'site')) &&
    /Established/.test(await birdc('show', 'protocols', 'site6'))
  const startDns = async () => {
    nsd = await startNsd(nsdDirectory, {
      addresses: [address(labAddresses.maintenance), ...labAddresses.anycast.map(address)],
      port: 53,
      namespace: site,
      identity: 'eu',
    })
  }
  const diagnostics = () => [...exabgpLog.slice(-30), ...logs.slice(-30).map((l) => l.msg)].join('\n')

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'preflight-exabgp-'))
    routerSocket = path.join(directory, 'router.ctl')
    socket = path.join(directory, 'anycast.sock')
    nsdDirectory = path.join(directory, 'nsd')
    await linkSiteAndRouter(site, router, namespaces)
    // A site host has a default route (here: into the router namespace). Without one, a check that
    // runs before the daemon has put the anycast address on lo fails to connect() at all.
    await run('ip', ['-n', site, 'route', 'add', 'default', 'via', address(labAddresses.router)])
    await run('ip', ['-n', site, '-6', 'route', 'add', 'default', 'via', address(labAddresses.router6)])
    // NSD binds the anycast addresses before the daemon has put them on lo (lab pitfall 9).
    await run('ip', [
      'netns',
      'exec',
      site,
      'sysctl',
      '-qw',
      'net.ipv4.ip_nonlocal_bind=1',
      'net.ipv6.ip_nonlocal_bind=1',
    ])

    const routerConfig = path.join(directory, 'router-bird.conf')
    await writeFile(routerConfig, routerBirdConfig)
    await run('ip', [
      'netns',
      'exec',
      router,
      'bird',
      '-c',
      routerConfig,
      '-s',
      routerSocket,
      '-P',
      path.join(directory, 'router.pid'),
    ])
    await startDns()

    const daemonConfig = path.join(directory, 'anycast.conf')
    await writeFile(
      daemonConfig,
      `[daemon]
backend = exabgp
control-socket = ${socket}
drain-file = ${path.join(directory, 'anycast.drain')}
metrics-listen = off
splay-seed = 1
retry-min = 200ms
retry-max = 1s

[exabgp]
ack-timeout = 2s

[dampening]
half-life = 2s

[service dns]
prefix = ${anycast4.join(' ')}
prefix = ${anycast6.join(' ')}
interval = 500ms
fast-interval = 100ms
timeout = 300ms
rise = 2
fall = 2

[check dns udp]
type = dns
qname = ${testZone}
expect-answer = yes

[check dns udp6]
type = dns
target = ${address(anycast6[0] ?? '')}
qname = ${testZone}
`,
    )
    const exabgpConfigFile = path.join(directory, 'exabgp.conf')
    await writeFile(exabgpConfigFile, await docsExabgpConfig(daemonConfig))
    // An env file of our own, so that the host's /etc/exabgp/exabgp.env is not read; the settings
    // root needs come as environment variables. exabgp.api.ack is left at ExaBGP's default.
    const envFile = path.join(directory, 'exabgp.env')
    await writeFile(envFile, '')
    const child = spawn('ip', ['netns', 'exec', site, 'exabgp', '--env', envFile, exabgpConfigFile], {
      cwd: repository,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        'exabgp.daemon.user': 'root',
        'exabgp.daemon.drop': 'false',
        'exabgp.api.cli': 'false',
        'exabgp.log.destination': 'stdout',
      },
    })
    exabgp = child
    exabgpExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    createInterface({ input: child.stdout }).on('line', (line) => exabgpLog.push(line))
    // The daemon is ExaBGP's child and inherits its stderr: its JSON log lines arrive here.
    createInterface({ input: child.stderr }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine)
      } catch {
        logs.push({ msg: `stderr: ${line}` })
      }
    })
  })

  after(async () => {
    await nsd?.stop()
    await removeNamespaces(namespaces)
    if (exabgp && exabgp.exitCode === null && exabgp.signalCode === null) exabgp.kill('SIGKILL')
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  test('healthy: ExaBGP acks every command with done and the router learns every anycast prefix', async () => {
    await until('router learns all anycast prefixes', () => routerHasAll(true), 20_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${diagnostics()}`)
    })
    assert.equal(await routerHas(labAddresses.maintenance), true)
    for (const prefix of labAddresses.anycast) {
      const announce = logs.find((l) => l.event === 'exabgp-announce' && l.prefix === prefix)
      assert.equal(announce?.reply, 'done', `${prefix}: ${JSON.stringify(announce)}`)
    }
    // The start-up withdraws of routes ExaBGP never had are acked with done as well.
    assert.ok(logs.some((l) => l.event === 'exabgp-withdraw' && l.reply === 'done'))
    const status = JSON.parse(
      (await runCli(['anycast', 'status', '--socket', socket, '--json'])).stdout,
    ).status
    assert.equal(status.services[0].state, 'up')
    assert.ok(status.services[0].prefixes.every((p: { route: string }) => p.route === 'announced'))
  })

  test('the DNS server dies: withdrawn (maintenance IP and sessions stay); it returns: announced again', async () => {
    await nsd?.stop()
    await until('router drops the anycast prefixes', () => routerHasAll(false))
    assert.equal(await routerHas(labAddresses.maintenance), true)
    assert.equal(await sessionsEstablished(), true)
    await startDns()
    await until('router learns the anycast prefixes again', () => routerHasAll(true))
  })

  test('drain from the CLI withdraws only the anycast routes; undrain brings them back', async () => {
    const drain = await runCli(['anycast', 'drain', '--socket', socket])
    assert.equal(drain.code, 0, drain.stderr)
    assert.match(drain.stdout, /withdrawn: confirmed/)
    await until('router drops the anycast prefixes', () => routerHasAll(false), 5000)
    assert.equal(await routerHas(labAddresses.maintenance), true)
    assert.equal(await sessionsEstablished(), true)
    const undrain = await runCli(['anycast', 'undrain', '--socket', socket])
    assert.equal(undrain.code, 0, undrain.stderr)
    await until('router learns the anycast prefixes again', () => routerHasAll(true), 5000)
  })

  test('ExaBGP stopping says shutdown: the daemon takes it as the end and stops', async () => {
    exabgp?.kill('SIGTERM')
    assert.equal(await exabgpExit, 0, diagnostics())
    const stop = logs.find((l) => l.event === 'signal')
    assert.equal(stop?.reason, 'ExaBGP is shutting down', diagnostics())
    // Its sessions went down with it, so the daemon's final withdraw counts as confirmed.
    assert.equal(logs.find((l) => l.event === 'stopped')?.withdrawn, true, diagnostics())
    assert.equal(await routerHasAll(false), true)
  })
})
