/**
 * @module
 * An irssi proxy (docs/proxy.txt in irssi): the proxy module's settings in ~/.irssi/config —
 * `irssiproxy_ports = "net=port …"`, `irssiproxy_bind`, and since 0.8.18 the `irssiproxy` on/off
 * switch — under whatever module section irssi saved them ("proxy" in most configs), and whether
 * ~/.irssi/startup loads the module ('load proxy'), without which nothing listens.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import { type IrssiEntry, irssiEntries, parseIrssiConfig } from './parse-irssi-config.ts'

export interface IrssiProxyListener {
  /** The irssi network tag ('FreeNode', or '?' for "chosen by the connect password"). */
  network: string
  port?: number
  /** Newer irssi listens on a Unix socket when the value is a path. */
  socketPath?: string
}

export interface IrssiProxy {
  user: string
  /** Host path of the irssi config. */
  file: string
  listeners: IrssiProxyListener[]
  /** The irssiproxy_ports line. */
  line: number
  bind?: { address: string; line: number }
  /** The `irssiproxy` setting; irssi treats a missing one as on. */
  enabled: boolean
  /** The ~/.irssi/startup line that loads the module, if any. */
  loadedBy?: { file: string; line: number }
}

/** config_get_bool(): true, yes and on are true, anything else false. */
function irssiBool(value: string): boolean {
  return /^(t|y|on)/i.test(value)
}

/** The last value of a setting in any module section under `settings`. */
function lastSetting(settingsBlocks: IrssiEntry[], key: string): { value: string; line: number } | undefined {
  let found: { value: string; line: number } | undefined
  for (const settings of settingsBlocks) {
    if (settings.value.kind !== 'block') continue
    for (const moduleSection of settings.value.entries) {
      for (const entry of irssiEntries(moduleSection.value, key)) {
        if (entry.value.kind === 'string') found = { value: entry.value.value, line: entry.line }
      }
    }
  }
  return found
}

function parseListeners(
  ports: string,
  file: string,
  line: number,
  warnings: ParseWarning[],
): IrssiProxyListener[] {
  const listeners: IrssiProxyListener[] = []
  for (const pair of ports.split(' ').filter((word) => word !== '')) {
    const equals = pair.indexOf('=')
    const network = pair.slice(0, equals)
    const target = pair.slice(equals + 1)
    const port = /^(\d+)(?::.*)?$/.exec(target)
    if (equals <= 0 || (port === null && !target.startsWith('/')) || Number(port?.[1]) === 0) {
      warnings.push({
        file,
        line,
        message: `irssiproxy_ports: '${pair}' is not network=port (irssi skips it)`,
      })
      continue
    }
    listeners.push(port ? { network, port: Number(port[1]) } : { network, socketPath: target })
  }
  return listeners
}

const loadProxy = /^[ \t]*\/?load[ \t]+proxy[ \t]*\r?$/i

export function irssiProxy(input: {
  user: string
  configFile: string
  configText: string
  startupFile: string
  startupText: string | undefined
}): { proxy?: IrssiProxy; warnings: ParseWarning[] } {
  const { root, warnings } = parseIrssiConfig(input.configText, input.configFile)
  const settings = irssiEntries(root, 'settings')
  const ports = lastSetting(settings, 'irssiproxy_ports')
  if (!ports) return { warnings }
  const listeners = parseListeners(ports.value, input.configFile, ports.line, warnings)
  if (listeners.length === 0) return { warnings }
  const bind = lastSetting(settings, 'irssiproxy_bind')
  const switchSetting = lastSetting(settings, 'irssiproxy')
  const startupLine = input.startupText?.split('\n').findIndex((line) => loadProxy.test(line)) ?? -1
  return {
    proxy: {
      user: input.user,
      file: input.configFile,
      listeners,
      line: ports.line,
      ...(bind && bind.value !== '' ? { bind: { address: bind.value, line: bind.line } } : {}),
      enabled: switchSetting ? irssiBool(switchSetting.value) : true,
      ...(startupLine >= 0 ? { loadedBy: { file: input.startupFile, line: startupLine + 1 } } : {}),
    },
    warnings,
  }
}
