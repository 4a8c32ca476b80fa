/**
 * @module
 * Every user's KVIrc server list (~/.config/KVIrc/config/serverdb.kvc, or the directory that
 * ~/.kvirc4.rc names as LocalKvircDirectory) read as KviIrcServerDataBase loads it: one group per
 * network, servers 0…NServers-1 as `N_Key=value`. Also the irssi proxies configured in the same
 * homes, since a KVIrc server pointing at one is the case KVIrc 4.2's STARTTLS default breaks.
 */
import type { Host } from '../host/host.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import type { User } from './accounts.ts'
import { users } from './accounts.ts'
import { defineFact } from './define-fact.ts'
import { type IrssiProxy, irssiProxy } from './kvirc-servers/irssi-proxy.ts'
import {
  type KvircConfigFile,
  type KvircConfigSection,
  kvircEntry,
  parseKvircConfig,
} from './kvirc-servers/parse-kvirc-config.ts'

export interface KvircServer {
  /** The N of `N_Hostname`. */
  index: number
  hostname: string
  ip: string
  /** `N_Port`, 6667 when absent (KVIrc's default). */
  port: number
  /** `N_Pass` (the server password), '' when none. */
  password: string
  /** `N_SSL=true`: TLS from the first byte, so STARTTLS does not come into play. */
  ssl: boolean
  /**
   * Whether KVIrc sends STARTTLS. KviIrcServer::load reads `N_EnabledSTARTTLS` with a default of
   * true and saves the key only when it is false, so a server without the key (every server of a
   * KVIrc 3.x list, which 4.2 reads on update) has STARTTLS on.
   */
  startTls: boolean
  /** The `N_EnabledSTARTTLS` line when the key is present. */
  startTlsLine?: number
  /** The `N_Hostname` (or `N_Ip`) line. */
  line: number
}

export interface KvircNetwork {
  name: string
  line: number
  /** The network-wide `Pass`, '' when none. */
  password: string
  servers: KvircServer[]
}

export interface KvircServerList {
  user: string
  /** Host path of serverdb.kvc. */
  path: string
  networks: KvircNetwork[]
  /** The parsed file with its raw lines, for a fix to rewrite. */
  file: KvircConfigFile
}

export interface KvircServers {
  serverLists: KvircServerList[]
  irssiProxies: IrssiProxy[]
  warnings: ParseWarning[]
}

export const kvircServerListPath = '.config/KVIrc/config/serverdb.kvc'
/** KVI_HOME_CONFIG_FILE_NAME: where KVIrc 4 and later record a non-default local directory. */
const kvircHomeConfig = '.kvirc4.rc'
const defaultKvircPort = 6667

function kvircInt(
  section: KvircConfigSection,
  key: string,
  fallback: number,
  file: string,
  warnings: ParseWarning[],
): number {
  const entry = kvircEntry(section, key)
  if (!entry) return fallback
  if (/^\s*\d+\s*$/.test(entry.value)) return Number(entry.value)
  warnings.push({
    file,
    line: entry.line,
    message: `${entry.key} '${entry.value}' is not a number (KVIrc uses ${fallback})`,
  })
  return fallback
}

/** KviConfigurationFile::readBoolEntry: only 'true' (any case) is true. */
function kvircBool(section: KvircConfigSection, key: string, fallback: boolean): boolean {
  const entry = kvircEntry(section, key)
  return entry ? entry.value.toLowerCase() === 'true' : fallback
}

function kvircNetwork(section: KvircConfigSection, file: string, warnings: ParseWarning[]): KvircNetwork {
  const count = kvircInt(section, 'NServers', 0, file, warnings)
  const servers: KvircServer[] = []
  for (let index = 0; index < count; index++) {
    const hostname = kvircEntry(section, `${index}_Hostname`)
    const ip = kvircEntry(section, `${index}_Ip`)
    if (!hostname?.value && !ip?.value) {
      warnings.push({
        file,
        line: section.line,
        message: `[${section.name}] server ${index} has neither ${index}_Hostname nor ${index}_Ip (KVIrc skips it)`,
      })
      continue
    }
    const startTlsEntry = kvircEntry(section, `${index}_EnabledSTARTTLS`)
    servers.push({
      index,
      hostname: hostname?.value ?? '',
      ip: ip?.value ?? '',
      port: kvircInt(section, `${index}_Port`, defaultKvircPort, file, warnings),
      password: kvircEntry(section, `${index}_Pass`)?.value ?? '',
      ssl: kvircBool(section, `${index}_SSL`, false),
      startTls: kvircBool(section, `${index}_EnabledSTARTTLS`, true),
      ...(startTlsEntry ? { startTlsLine: startTlsEntry.line } : {}),
      line: (hostname ?? ip)?.line ?? section.line,
    })
  }
  for (const entry of Object.values(section.entries)) {
    const index = /^(\d+)_hostname$/i.exec(entry.key)?.[1]
    if (index !== undefined && Number(index) >= count) {
      warnings.push({
        file,
        line: entry.line,
        message: `[${section.name}] NServers=${count}, so KVIrc ignores server ${index}`,
      })
    }
  }
  return {
    name: section.name,
    line: section.line,
    password: kvircEntry(section, 'Pass')?.value ?? '',
    servers,
  }
}

/** The KVIrc directories of one home: the default one and the one ~/.kvirc4.rc may name. */
async function serverListPaths(host: Host, home: string): Promise<string[]> {
  const paths = [`${home}/${kvircServerListPath}`]
  const rcPath = `${home}/${kvircHomeConfig}`
  const rcText = await host.readText(rcPath)
  if (rcText === undefined) return paths
  const main = parseKvircConfig(rcText, rcPath).sections.find(
    (section) => section.name.toLowerCase() === 'main',
  )
  const localDirectory = main && kvircEntry(main, 'LocalKvircDirectory')?.value.replace(/\/+$/, '')
  if (localDirectory?.startsWith('/')) {
    const configured = `${localDirectory}/config/serverdb.kvc`
    if (!paths.includes(configured)) paths.push(configured)
  }
  return paths
}

/** One user per home directory: system accounts often share one. */
function distinctHomes(accounts: User[]): User[] {
  const seen = new Set<string>()
  return accounts.filter((account) => {
    const home = account.home.replace(/\/+$/, '')
    if (!account.home.startsWith('/') || seen.has(home)) return false
    seen.add(home)
    return true
  })
}

export const kvircServers = defineFact({
  id: 'kvircServers',
  title: 'KVIrc server lists',
  needs: { users },
  async collect({ host, progress }, { users: accounts }): Promise<KvircServers> {
    const result: KvircServers = { serverLists: [], irssiProxies: [], warnings: [] }
    const homes = distinctHomes(accounts.users)
    for (const [done, account] of homes.entries()) {
      progress(done, homes.length)
      const home = account.home.replace(/\/+$/, '')
      for (const path of await serverListPaths(host, home)) {
        const text = await host.readText(path)
        if (text === undefined) continue
        const file = parseKvircConfig(text, path)
        result.warnings.push(...file.warnings)
        const networks = file.sections
          .filter((section) => Object.keys(section.entries).length > 0)
          .map((section) => kvircNetwork(section, path, result.warnings))
        result.serverLists.push({ user: account.name, path, networks, file })
      }
      const configFile = `${home}/.irssi/config`
      const configText = await host.readText(configFile)
      if (configText === undefined) continue
      const startupFile = `${home}/.irssi/startup`
      const { proxy, warnings } = irssiProxy({
        user: account.name,
        configFile,
        configText,
        startupFile,
        startupText: await host.readText(startupFile),
      })
      result.warnings.push(...warnings)
      if (proxy) result.irssiProxies.push(proxy)
    }
    progress(homes.length, homes.length)
    return result
  },
})
