/**
 * @module
 * The one explicit list of checks, in catalogue order (the order of the gathering progress and of
 * ties in the result table). Adding a check is one file and one line here.
 */
import { anycastDnsNotBound } from './anycast-dns-not-bound.ts'
import { anycastExportUnfiltered } from './anycast-export-unfiltered.ts'
import { anycastGracefulRestart } from './anycast-graceful-restart.ts'
import { anycastLoopbackMissing } from './anycast-loopback-missing.ts'
import { anycastNoMaintenanceIp } from './anycast-no-maintenance-ip.ts'
import { anycastSlowFailover } from './anycast-slow-failover.ts'
import { anycastSummaryRoute } from './anycast-summary-route.ts'
import { configFilesToReview } from './config-files-to-review.ts'
import type { AnyCheck } from './define-check.ts'
import { kvircStarttlsProxy } from './kvirc-starttls-proxy.ts'
import { packagesBrokenDependencies } from './packages-broken-dependencies.ts'
import { packagesNotSignedByVendor } from './packages-not-signed-by-vendor.ts'
import { repositoriesNoUpgradePath } from './repositories-no-upgrade-path.ts'
import { repositoriesThirdPartyGpgKey } from './repositories-third-party-gpg-key.ts'
import { selinuxNotEnforcing } from './selinux-not-enforcing.ts'
import { sshSlowLogin } from './ssh-slow-login.ts'
import { systemLocalExecutables } from './system-local-executables.ts'
import { systemLocalFiles } from './system-local-files.ts'
import { systemVersion } from './system-version.ts'

export const allChecks: readonly AnyCheck[] = [
  configFilesToReview,
  systemLocalFiles,
  systemLocalExecutables,
  packagesNotSignedByVendor,
  packagesBrokenDependencies,
  systemVersion,
  sshSlowLogin,
  anycastExportUnfiltered,
  anycastSummaryRoute,
  anycastGracefulRestart,
  anycastSlowFailover,
  anycastDnsNotBound,
  anycastLoopbackMissing,
  anycastNoMaintenanceIp,
  kvircStarttlsProxy,
  repositoriesNoUpgradePath,
  repositoriesThirdPartyGpgKey,
  selinuxNotEnforcing,
]
