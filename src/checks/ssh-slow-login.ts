// With UseDNS yes sshd resolves every client's address; where a firewall mishandles glibc's
// parallel A/AAAA queries each lookup waits for a timeout and logins stall 20-30 s (blog "Slow SSH
// to new CentOS servers"; resolv.conf(5) single-request-reopen, glibc 2.10+).

import type { OsIdentity } from '../facts/os-identity.ts'
import type { ResolvConf, ResolvConfManager } from '../facts/resolv-conf.ts'
import { resolvConfPath } from '../facts/resolv-conf.ts'
import type { SshdConfig } from '../facts/sshd-config.ts'
import { sshdConfigPath } from '../facts/sshd-config.ts'
import { isReleaseBuild, type OpensshRelease, opensshRelease } from './data/openssh-releases.ts'
import { releaseTable } from './data/releases.ts'
import { defineCheck, type TargetRelease } from './define-check.ts'
import { fail, informational, pass, risk } from './result.ts'

interface UseDnsValue {
  value?: boolean
  /** Why it has that value, for the messages. */
  reason: string
}

const resolverOptions = ['single-request-reopen', 'single-request']

/** How to add the option where a tool, not the administrator, writes /etc/resolv.conf. */
const managerRemedies: Record<string, string> = {
  NetworkManager:
    'through NetworkManager: `nmcli connection modify <connection> ipv4.dns-options single-request-reopen`, then reactivate the connection',
  resolvconf: 'to /etc/resolvconf/resolv.conf.d/head, then run `resolvconf -u`',
  'dhclient-script':
    'as RES_OPTIONS="single-request-reopen" in the interface\'s /etc/sysconfig/network-scripts/ifcfg-* file, which dhclient-script reads',
  netconfig:
    'as NETCONFIG_DNS_RESOLVER_OPTIONS="single-request-reopen" in /etc/sysconfig/network/config, then run `netconfig update -f`',
  'systemd-resolved':
    'by pointing /etc/resolv.conf at /run/systemd/resolve/stub-resolv.conf instead (systemd-resolved writes no resolver options, but its stub does the upstream queries itself)',
}

function yesNo(value: boolean | undefined): string {
  return value === undefined ? 'unknown' : value ? 'yes' : 'no'
}

function at(location: { file: string; line: number }): string {
  return `${location.file}:${location.line}`
}

function releaseName(distro: string, version: string): string {
  return `${releaseTable(distro)?.name ?? distro} ${version}`
}

function builtInDefault(release: OpensshRelease): string {
  return release.vendorDefault
    ? `the default of ${release.openssh.banner} as ${release.release} builds it`
    : `the default of ${release.openssh.banner}`
}

/** sshd's built-in default on this host: the binary's version, or the release's OpenSSH when unreadable. */
function defaultToday(sshd: SshdConfig, os: OsIdentity): UseDnsValue {
  const release = opensshRelease(os.distro, os.major)
  if (sshd.version !== 'unknown') {
    if (release && isReleaseBuild(sshd.version, release)) {
      return {
        value: release.useDnsDefault,
        reason: `no UseDNS is set, so sshd uses ${builtInDefault(release)}`,
      }
    }
    return {
      value: sshd.useDns.upstreamDefault,
      reason: `no UseDNS is set, so sshd uses the default of ${sshd.version.banner} (${sshd.binary}): yes before OpenSSH 6.8, no since`,
    }
  }
  if (release) {
    return {
      value: release.useDnsDefault,
      reason: `no UseDNS is set and the sshd binary's version could not be read, so this assumes ${builtInDefault(release)}, which ${releaseName(os.distro, os.version)} ships`,
    }
  }
  return { reason: 'no UseDNS is set and the OpenSSH version is unknown' }
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1'
}

function managerNote(manager: ResolvConfManager): string {
  const line = manager.line === undefined ? '' : ` at line ${manager.line}`
  return `${resolvConfPath} is managed by ${manager.name} (${manager.evidence}${line}): a hand edit will be overwritten`
}

function resolverRemedy(resolv: ResolvConf): string {
  const manager = resolv.managedBy
  if (manager) {
    const how = managerRemedies[manager.name] ?? `in the ${manager.name} code that writes ${resolvConfPath}`
    return `add \`options single-request-reopen\` ${how}, not by hand (${manager.name} would overwrite the edit)`
  }
  const lastNameserver = resolv.nameservers[resolv.nameservers.length - 1]
  const after = lastNameserver ? ` (for example after line ${lastNameserver.line})` : ''
  return `add the line \`options single-request-reopen\` to ${resolvConfPath}${after}`
}

function useDnsRemedy(sshd: SshdConfig): string {
  const explicit = sshd.useDns.explicit
  if (explicit) return `change \`UseDNS yes\` at ${at(explicit)} to \`UseDNS no\``
  if (sshd.firstMatch) {
    return `add \`UseDNS no\` to ${sshdConfigPath} above ${at(sshd.firstMatch)}, the first Match block (sshd refuses UseDNS inside one)`
  }
  return `add \`UseDNS no\` to ${sshdConfigPath}`
}

function afterUpgrade(
  sshd: SshdConfig,
  today: UseDnsValue,
  target: TargetRelease,
): UseDnsValue & { note?: string } {
  const release = opensshRelease(target.distro, target.major)
  if (sshd.useDns.explicit || !release) return today
  const name = releaseName(target.distro, target.version)
  return {
    value: release.useDnsDefault,
    reason: `after the upgrade to ${name} sshd uses ${builtInDefault(release)}`,
    note: `After the upgrade to ${name} (${release.openssh.banner}) the UseDNS default is ${yesNo(release.useDnsDefault)}; this host sets none.`,
  }
}

export const sshSlowLogin = defineCheck({
  id: 'network.ssh-slow-login',
  title: 'Slow SSH logins from reverse DNS lookups',
  group: 'network',
  description:
    'With UseDNS yes, sshd looks up the name of every connecting client. When a firewall mishandles ' +
    "glibc's parallel A and AAAA queries, every lookup waits for a timeout and SSH logins stall for " +
    "20-30 seconds. resolv.conf's `options single-request-reopen` makes glibc fall back at once; " +
    '`UseDNS no` stops the lookups. The UseDNS default depends on the OpenSSH version (yes before 6.8, ' +
    'no since; Red Hat kept yes in EL7), so an upgrade can change it.',
  needs: ['sshdConfig', 'resolvConf'],
  appliesTo: ({ sshdConfig }) =>
    sshdConfig.installed ? undefined : `the OpenSSH server is not installed (no sshd, no ${sshdConfigPath})`,
  run({ sshdConfig, resolvConf }, { os, target }) {
    const explicit = sshdConfig.useDns.explicit
    const today: UseDnsValue = explicit
      ? { value: explicit.value, reason: `UseDNS is set at ${at(explicit)}` }
      : defaultToday(sshdConfig, os)
    const after = afterUpgrade(sshdConfig, today, target)
    const messages = [`UseDNS ${yesNo(today.value)} today: ${today.reason}.`]
    if (after.note) messages.push(after.note)
    if (sshdConfig.useDns.inMatch.length > 0) {
      messages.push(
        `UseDNS inside a Match block at ${sshdConfig.useDns.inMatch.map(at).join(', ')}: sshd refuses to start with it.`,
      )
    }

    const option = resolvConf.options.find((candidate) => resolverOptions.includes(candidate.name))
    if (option) {
      return pass(
        `${resolvConfPath} line ${option.line} has \`options ${option.name}\`: glibc does not wait on parallel queries.`,
        ...messages,
      )
    }
    if (after.value === false) return pass('sshd does not look up client names (UseDNS no).', ...messages)
    if (after.value === undefined) {
      return informational(
        `Could not tell whether sshd looks up client names: ${after.reason}. If it does, add \`options single-request-reopen\` to ${resolvConfPath} or set \`UseDNS no\`.`,
        ...messages,
      )
    }
    const used = resolvConf.nameservers.filter((nameserver) => nameserver.used)
    if (used.length === 0) {
      return informational(
        `${resolvConfPath} ${resolvConf.exists ? 'lists no nameserver' : 'does not exist'}, so glibc asks a DNS server on this host (127.0.0.1); there are no remote queries for a firewall to drop.`,
        ...messages,
      )
    }
    if (used.every((nameserver) => isLoopback(nameserver.address))) {
      return informational(
        `${resolvConfPath} lists only local nameservers (${used.map((n) => n.address).join(', ')}): the local resolver does the remote queries itself, so glibc's parallel queries never cross a firewall.`,
        ...messages,
      )
    }

    const addresses = used.map((nameserver) => nameserver.address).join(', ')
    const ignored = resolvConf.nameservers.filter((nameserver) => !nameserver.used)
    const parts = [
      `sshd looks up every client's host name (UseDNS yes: ${after.reason}) and ${resolvConfPath} lists nameservers (${addresses}) without \`options single-request-reopen\`: where a firewall mishandles glibc's parallel A and AAAA queries, every SSH login stalls for 20-30 seconds.`,
    ]
    if (resolvConf.managedBy) parts.push(`${managerNote(resolvConf.managedBy)}.`)
    if (ignored.length > 0) {
      const list = ignored.map((nameserver) => `${nameserver.address} (line ${nameserver.line})`).join(', ')
      messages.push(`glibc uses only the first 3 nameservers and ignores ${list}.`)
    }
    const lastNameserver = resolvConf.nameservers[resolvConf.nameservers.length - 1]
    return fail(
      [
        risk('high', parts.join(' '), {
          file: resolvConfPath,
          ...(lastNameserver ? { line: lastNameserver.line } : {}),
        }),
      ],
      `Either ${resolverRemedy(resolvConf)}; or ${useDnsRemedy(sshdConfig)} and reload sshd (host names in ` +
        'authorized_keys from= options, Match Host and AllowUsers user@host patterns then match addresses only).',
      messages,
    )
  },
})
