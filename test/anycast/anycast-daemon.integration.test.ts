/**
 * The daemon end to end, for real: a site namespace with BIRD 2 (the bird.conf of docs/anycast.md)
 * and NSD, a router namespace peering with it over BGP, and `preflight anycast run` inside the
 * site. What the router learns is what the site announces. All traffic stays in the two
 * namespaces this test creates (and the control socket, a file).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, test } from 'node:test'
import { runCli } from '../cli/run-cli.ts'
import { type BirdLab, labAddresses, startBirdLab } from '../helpers/bird-lab.ts'
import { type NsdServer, startNsd, testZone } from '../helpers/nsd-server.ts'
import { until } from '../helpers/until.ts'

const repository = path.resolve(import.meta.dirname, '../..')
const cli = [process.execPath, '--import', 'tsx', path.join(repository, 'src/cli/main.ts')]
const anycast4 = labAddresses.anycast.filter((prefix) => !prefix.includes(':'))
const anycast6 = labAddresses.anycast.filter((prefix) => prefix.includes(':'))

interface LogLine {
  event?: string
  prefix?: string
  state?: string
  msg?: string
}

describe('preflight anycast run: BIRD 2 + NSD in network namespaces', () => {
  let lab: BirdLab
  let nsd: NsdServer | undefined
  let daemon: ChildProcess | undefined
  let daemonExit: Promise<number | null>
  const logs: LogLine[] = []
  let socket: string
  let nsdDirectory: string

  const startDns = async () => {
    nsd = await startNsd(nsdDirectory, {
      // The maintenance IP first: it is on lo from the start, so readiness can be checked there.
      addresses: [
        labAddresses.maintenance.replace('/32', ''),
        ...labAddresses.anycast.map((p) => p.split('/')[0] ?? ''),
      ],
      port: 53,
      namespace: lab.site,
      identity: 'eu',
    })
  }
  const siteAddresses = async () => lab.exec(lab.site, 'ip', '-o', 'addr', 'show', 'dev', 'lo')
  const routerHasAll = async (present: boolean) => {
    for (const prefix of labAddresses.anycast) if ((await lab.routerHas(prefix)) !== present) return false
    return true
  }

  before(async () => {
    lab = await startBirdLab('it')
    socket = path.join(lab.directory, 'anycast.sock')
    nsdDirectory = path.join(lab.directory, 'nsd')
    // NSD binds the anycast addresses before the daemon has put them on lo (lab pitfall 9).
    await lab.exec(lab.site, 'sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1', 'net.ipv6.ip_nonlocal_bind=1')
    await startDns()
    const config = path.join(lab.directory, 'anycast.conf')
    await writeFile(
      config,
      `[daemon]
backend = bird
control-socket = ${socket}
drain-file = ${path.join(lab.directory, 'anycast.drain')}
metrics-listen = 127.0.0.1:9274
withdraw-on-shutdown = yes
splay-seed = 1
retry-min = 200ms
retry-max = 1s

[bird]
socket = ${lab.siteSocket}
include-file = ${lab.includeFile}
confirm-protocols = uplink
coalesce = 100ms

[service dns]
prefix = ${anycast4.join(' ')}
prefix = ${anycast6.join(' ')}
bird-protocol = anycast_dns
interval = 500ms
fast-interval = 100ms
timeout = 300ms
rise = 2
fall = 2

[check dns udp]
type = dns
qname = ${testZone}
expect-answer = yes

[check dns tcp]
type = dns
transport = tcp
qname = ${testZone}

[check dns udp6]
type = dns
target = 2001:db8:53::1
qname = ${testZone}
qtype = TXT
expect-rcode = NOERROR
`,
    )
    const child = spawn('ip', ['netns', 'exec', lab.site, ...cli, 'anycast', 'run', '--config', config], {
      cwd: repository,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    daemon = child
    daemonExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine)
      } catch {
        logs.push({ msg: line })
      }
    })
    child.stderr.on('data', (chunk: Buffer) => logs.push({ msg: `stderr: ${chunk.toString()}` }))
  })

  after(async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL')
    await nsd?.stop()
    await lab?.stop()
  })

  const eventIndex = (event: string, prefix?: string) =>
    logs.findIndex((line) => line.event === event && (prefix === undefined || line.prefix === prefix))

  test('healthy: the addresses go on lo first, then the router learns every anycast prefix', async () => {
    await until('router learns all anycast prefixes', () => routerHasAll(true))
    for (const prefix of ['192.0.2.1/32', '2001:db8:53::1/128']) {
      const added = eventIndex('address-added', prefix)
      const announced = eventIndex('announced', prefix)
      assert.ok(added >= 0 && announced > added, `${prefix}: added at ${added}, announced at ${announced}`)
    }
    const status = await runCli(['anycast', 'status', '--socket', socket, '--json'])
    assert.equal(status.code, 0, status.stderr)
    const service = JSON.parse(status.stdout).status.services[0]
    assert.equal(service.state, 'up')
    assert.ok(service.prefixes.every((p: { route: string }) => p.route === 'announced'))
    assert.deepEqual(
      service.checks.map((c: { name: string; state: string }) => [c.name, c.state]),
      [
        ['udp', 'up'],
        ['tcp', 'up'],
        ['udp6', 'up'],
      ],
    )
    const table = await runCli(['anycast', 'status', '--socket', socket])
    assert.match(table.stdout, /^dns +up .*192\.0\.2\.1\/32 +announced +present/m)

    const metrics = await lab.exec(
      lab.site,
      process.execPath,
      '-e',
      "fetch('http://127.0.0.1:9274/metrics').then(r => r.text()).then(t => process.stdout.write(t))",
    )
    assert.match(metrics, /^preflight_anycast_service_up\{service="dns"\} 1$/m)
    assert.match(metrics, /^preflight_anycast_announced_prefixes 6$/m)
    assert.match(metrics, /^preflight_anycast_backend_last_reload_success 1$/m)
  })

  test('the DNS server dies: withdrawn (maintenance IP and BGP session stay); it returns: announced again', async () => {
    await nsd?.stop()
    await until('router drops the anycast prefixes', () => routerHasAll(false))
    assert.equal(await lab.routerHas(labAddresses.maintenance), true)
    assert.match(await lab.birdc(lab.routerSocket, 'show', 'protocols', 'site'), /Established/)
    const status = JSON.parse(
      (await runCli(['anycast', 'status', '--socket', socket, '--json'])).stdout,
    ).status
    assert.equal(status.services[0].state, 'down')
    assert.match(status.services[0].checks[0].last.detail, /connection refused|no result within/)
    // Static addresses stay while the service is down.
    assert.match(await siteAddresses(), /192\.0\.2\.1\/32/)

    await startDns()
    await until('router learns the anycast prefixes again', () => routerHasAll(true))
  })

  test('drain and undrain from the CLI: only the anycast routes move', async () => {
    const drain = await runCli(['anycast', 'drain', '--socket', socket])
    assert.equal(drain.code, 0, drain.stderr)
    assert.match(drain.stdout, /withdrawn: confirmed/)
    await until('router drops the anycast prefixes', () => routerHasAll(false), 5000)
    assert.equal(await lab.routerHas(labAddresses.maintenance), true)
    assert.match(await lab.birdc(lab.routerSocket, 'show', 'protocols', 'site'), /Established/)
    const status = JSON.parse(
      (await runCli(['anycast', 'status', '--socket', socket, '--json'])).stdout,
    ).status
    assert.equal(status.services[0].state, 'drained')

    const undrain = await runCli(['anycast', 'undrain', '--socket', socket])
    assert.equal(undrain.code, 0, undrain.stderr)
    await until('router learns the anycast prefixes again', () => routerHasAll(true), 5000)
  })

  test('SIGUSR1 drains (creating the drain file), SIGUSR2 undrains', async () => {
    const drainFile = path.join(lab.directory, 'anycast.drain')
    daemon?.kill('SIGUSR1')
    await until('router drops the anycast prefixes', () => routerHasAll(false), 5000)
    assert.ok(existsSync(drainFile))
    daemon?.kill('SIGUSR2')
    await until('router learns the anycast prefixes again', () => routerHasAll(true), 5000)
    assert.equal(existsSync(drainFile), false)
  })

  test('SIGTERM: every prefix withdrawn first, then the addresses the daemon added are removed', async () => {
    daemon?.kill('SIGTERM')
    assert.equal(await daemonExit, 0, logs.map((l) => l.msg).join('\n'))
    assert.equal(await routerHasAll(false), true)
    const addresses = await siteAddresses()
    for (const prefix of labAddresses.anycast) assert.ok(!addresses.includes(prefix), `${prefix} still on lo`)
    assert.ok(addresses.includes(labAddresses.maintenance))
    const stopAt = eventIndex('stop')
    for (const prefix of ['192.0.2.1/32', '2001:db8:53::3/128']) {
      const withdrawn = logs.findIndex((l, i) => i > stopAt && l.event === 'withdrawn' && l.prefix === prefix)
      const removed = logs.findIndex(
        (l, i) => i > stopAt && l.event === 'address-removed' && l.prefix === prefix,
      )
      assert.ok(
        withdrawn > stopAt && removed > withdrawn,
        `${prefix}: withdrawn at ${withdrawn}, removed at ${removed}`,
      )
    }
  })
})
