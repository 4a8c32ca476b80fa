// KVIrc 4.2 turns 'Switch to SSL/TLS by using the STARTTLS extension' on for every server that
// does not say otherwise; an irssi proxy does not speak STARTTLS, so the connection opens and no
// data ever flows (blog "KVIrc update breaks Irssi Proxy").
import type { IrssiProxy } from '../facts/kvirc-servers/irssi-proxy.ts'
import {
  type KvircNetwork,
  type KvircServer,
  type KvircServerList,
  kvircServerListPath,
} from '../facts/kvirc-servers.ts'
import { defineCheck } from './define-check.ts'
import { passOrFail, type Risk, risk } from './result.ts'

/** Ports IRC networks listen on (RFC 1459's 194, 994 for TLS, 6660-6669, 6697, 7000). */
function isStandardIrcPort(port: number): boolean {
  return port === 194 || port === 994 || (port >= 6660 && port <= 6669) || port === 6697 || port === 7000
}

const bouncerWords = /proxy|bouncer|bnc|znc/i

const loopbackNames = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'])

interface Finding {
  list: KvircServerList
  network: KvircNetwork
  server: KvircServer
  /** Each sign that the server is an IRC proxy or bouncer, in words. */
  signs: string[]
  /** False when the only sign is the weak password-and-odd-port one. */
  strong: boolean
}

function serverName(network: KvircNetwork, server: KvircServer): string {
  return `[${network.name}] server ${server.index} ${server.hostname || server.ip}:${server.port}`
}

/** Whether a server name or address denotes this host, as a proxy on it would be reached. */
function isThisHost(name: string, hostname: string, proxy: IrssiProxy): boolean {
  const lower = name.toLowerCase()
  const host = hostname.toLowerCase()
  return (
    loopbackNames.has(lower) ||
    lower.startsWith('127.') ||
    lower === '::1' ||
    (host !== '' && (lower === host || lower === host.split('.')[0])) ||
    (proxy.bind !== undefined && lower === proxy.bind.address.toLowerCase())
  )
}

/** Signs that the server is the irssi proxy configured on this host. */
function irssiProxySigns(
  network: KvircNetwork,
  server: KvircServer,
  proxies: IrssiProxy[],
  hostname: string,
): string[] {
  const signs: string[] = []
  for (const proxy of proxies) {
    for (const listener of proxy.listeners) {
      if (listener.port !== server.port) continue
      const where = `${proxy.file}:${proxy.line}`
      const local = [server.hostname, server.ip].find((name) => name && isThisHost(name, hostname, proxy))
      const sameNetwork =
        listener.network === '?' || listener.network.toLowerCase() === network.name.toLowerCase()
      if (!local && !sameNetwork) continue
      const how = local
        ? `'${local}' is this host`
        : `its network matches the proxy's '${listener.network}=${listener.port}'`
      signs.push(`port ${server.port} is the irssi proxy ${proxy.user} configured in ${where} and ${how}`)
    }
  }
  return signs
}

function findingFor(
  list: KvircServerList,
  network: KvircNetwork,
  server: KvircServer,
  proxies: IrssiProxy[],
  hostname: string,
): Finding | undefined {
  const strongSigns = irssiProxySigns(network, server, proxies, hostname)
  const word = bouncerWords.exec(server.hostname)?.[0]
  if (word) strongSigns.push(`its host name '${server.hostname}' contains '${word}'`)
  const networkWord = bouncerWords.exec(network.name)?.[0]
  if (networkWord) strongSigns.push(`its network name '${network.name}' contains '${networkWord}'`)
  const hasPassword = server.password !== '' || network.password !== ''
  const weakSigns =
    hasPassword && !isStandardIrcPort(server.port)
      ? [
          `it has a password and port ${server.port} is not an IRC network's port, as with most bouncers ` +
            '(a weaker sign: some networks use odd ports and passwords too)',
        ]
      : []
  const signs = [...strongSigns, ...weakSigns]
  if (signs.length === 0) return undefined
  return { list, network, server, signs, strong: strongSigns.length > 0 }
}

function startTlsSource(server: KvircServer): string {
  return server.startTlsLine === undefined
    ? `there is no ${server.index}_EnabledSTARTTLS key, which KVIrc takes as true`
    : `${server.index}_EnabledSTARTTLS=true at line ${server.startTlsLine}`
}

function toRisk(finding: Finding): Risk {
  const { list, network, server } = finding
  return risk(
    finding.strong ? 'high' : 'medium',
    `${serverName(network, server)} of ${list.user} has STARTTLS on (${startTlsSource(server)}) and looks like ` +
      `an IRC proxy: ${finding.signs.join('; ')}. An irssi proxy does not answer STARTTLS, so KVIrc 4.2 and later ` +
      'connect and then receive nothing.',
    { file: list.path, line: server.startTlsLine ?? server.line },
  )
}

function fileEdit(finding: Finding): string {
  const { network, server } = finding
  const wanted = `\`${server.index}_EnabledSTARTTLS=false\``
  return server.startTlsLine === undefined
    ? `add ${wanted} to [${network.name}] (after line ${server.line})`
    : `set line ${server.startTlsLine} to ${wanted} ([${network.name}])`
}

function solutionFor(findings: Finding[]): string {
  const byFile = new Map<string, Finding[]>()
  for (const finding of findings)
    byFile.set(finding.list.path, [...(byFile.get(finding.list.path) ?? []), finding])
  const edits = [...byFile].map(([path, inFile]) => `in ${path}, ${inFile.map(fileEdit).join('; ')}`)
  return (
    `With KVIrc closed, turn STARTTLS off for each flagged server: ${edits.join('. ')}. Or in KVIrc: ` +
    "Settings → Configure servers, double-click the server, tab Advanced, untick 'Switch to SSL/TLS by using " +
    "the STARTTLS extension'."
  )
}

function proxySummary(proxy: IrssiProxy): string {
  const listeners = proxy.listeners.map((l) => `${l.network}=${l.port ?? l.socketPath}`).join(' ')
  const loaded = proxy.loadedBy
    ? `loaded by ${proxy.loadedBy.file}:${proxy.loadedBy.line}`
    : 'not loaded at start-up (no "load proxy" in ~/.irssi/startup)'
  return `irssi proxy of ${proxy.user}: ${listeners} (${proxy.file}:${proxy.line}), ${proxy.enabled ? 'on' : 'switched off'}, ${loaded}.`
}

export const kvircStarttlsProxy = defineCheck({
  id: 'desktop.kvirc-starttls-proxy',
  title: 'KVIrc STARTTLS against IRC proxies',
  group: 'desktop',
  description:
    "KVIrc 4.2 enables 'Switch to SSL/TLS by using the STARTTLS extension' on every server whose entry does " +
    'not turn it off, including servers carried over from older versions. IRC proxies such as the irssi proxy ' +
    'do not speak STARTTLS: KVIrc connects, then no data flows and the client silently stops working.',
  needs: ['kvircServers', 'hostname'],
  appliesTo: ({ kvircServers }) =>
    kvircServers.serverLists.length > 0
      ? undefined
      : `no user has a KVIrc server list (~/${kvircServerListPath})`,
  run({ kvircServers, hostname }) {
    const findings: Finding[] = []
    const messages: string[] = []
    for (const list of kvircServers.serverLists) {
      let startTls = 0
      let servers = 0
      for (const network of list.networks) {
        for (const server of network.servers) {
          servers++
          if (!server.startTls || server.ssl) continue
          startTls++
          const finding = findingFor(list, network, server, kvircServers.irssiProxies, hostname)
          if (finding) findings.push(finding)
        }
      }
      messages.push(
        `${list.user}: ${list.path}: ${servers} server(s), ${startTls} with STARTTLS on and no SSL.`,
      )
    }
    messages.push(...kvircServers.irssiProxies.map(proxySummary))
    return passOrFail(
      findings.map(toRisk),
      'No server with STARTTLS on looks like an IRC proxy or bouncer.',
      solutionFor(findings),
      messages,
    )
  },
})
