/**
 * @module
 * The one list of fact collectors. `Facts` is derived from it, so a check that reads a fact it did
 * not declare is a type error.
 */

import { groups, users } from './accounts.ts'
import { anycastDaemonConfig } from './anycast-daemon-config.ts'
import { anycastSetup } from './anycast-setup.ts'
import { aptSources } from './apt-sources.ts'
import { birdConfig } from './bird-config.ts'
import type { FactValue } from './define-fact.ts'
import { dnsServerConfig } from './dns-server-config.ts'
import { executableFiles } from './executable-files.ts'
import { hostAddresses } from './host-addresses.ts'
import { hostname } from './hostname.ts'
import { kvircServers } from './kvirc-servers.ts'
import { localFiles } from './local-files.ts'
import { osIdentity } from './os-identity.ts'
import { changedConfigFiles, changedFiles } from './packages/changed-files.ts'
import { brokenDependencies } from './packages/dependencies/broken-dependencies.ts'
import { installedPackages } from './packages/installed-packages.ts'
import { resolvConf } from './resolv-conf.ts'
import { selinux } from './selinux.ts'
import { services } from './services.ts'
import { sshdConfig } from './sshd-config.ts'
import { yumRepos } from './yum-repos.ts'

export const allFacts = {
  osIdentity,
  hostname,
  users,
  groups,
  sshdConfig,
  resolvConf,
  kvircServers,
  yumRepos,
  aptSources,
  selinux,
  services,
  installedPackages,
  changedFiles,
  changedConfigFiles,
  brokenDependencies,
  localFiles,
  executableFiles,
  birdConfig,
  hostAddresses,
  dnsServerConfig,
  anycastDaemonConfig,
  anycastSetup,
} as const

export type FactId = keyof typeof allFacts
export type Facts = { [K in FactId]: FactValue<(typeof allFacts)[K]> }
