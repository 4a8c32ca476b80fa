// The upgrade tools replace the distribution's packages only: redhat-upgrade-tool left third-party
// and locally built packages as they were, built for the old release (PA module
// packages/NonRHSignedPkg "Packages not signed by Red Hat"; Leapp's distributionsignedrpmcheck).
import type { InstalledPackage } from '../facts/packages/package-source.ts'
import {
  type KnownKey,
  type SigningKeyTable,
  shortKeyId,
  signingKeysFor,
  vendorKeysAsOf,
} from './data/vendor-keys.ts'
import { defineCheck } from './define-check.ts'
import { type CheckOutcome, informational, outcomeFromRisks, type Risk, risk } from './result.ts'

/** Names listed in a risk message; the messages list them all. */
const namesInRisk = 20

interface KeyGroup {
  keyId: string
  known?: KnownKey
  packages: string[]
}

export interface SignatureClassification {
  /** Packages signed with the distribution's own keys. */
  own: number
  thirdParty: KeyGroup[]
  unknown: KeyGroup[]
  unsigned: string[]
}

/** Splits the package list by who signed each package; rpm's key pseudo-packages (gpg-pubkey) are not packages. */
export function classifySignatures(
  packages: readonly InstalledPackage[],
  keys: SigningKeyTable,
): SignatureClassification {
  const thirdParty = new Map<string, KeyGroup>()
  const unknown = new Map<string, KeyGroup>()
  const unsigned: string[] = []
  let own = 0
  for (const pkg of packages) {
    if (pkg.name === 'gpg-pubkey') continue
    const label = `${pkg.name}-${pkg.version}${pkg.release ? `-${pkg.release}` : ''}${pkg.arch ? `.${pkg.arch}` : ''}`
    if (!pkg.signatureKeyId) {
      unsigned.push(label)
      continue
    }
    const keyId = shortKeyId(pkg.signatureKeyId)
    if (keys.own.has(keyId)) {
      own++
      continue
    }
    const known = keys.thirdParty.get(keyId)
    const groups = known ? thirdParty : unknown
    const group = groups.get(keyId) ?? { keyId, ...(known ? { known } : {}), packages: [] }
    group.packages.push(label)
    groups.set(keyId, group)
  }
  const bySize = (a: KeyGroup, b: KeyGroup) => b.packages.length - a.packages.length
  return {
    own,
    thirdParty: [...thirdParty.values()].sort(bySize),
    unknown: [...unknown.values()].sort(bySize),
    unsigned,
  }
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, namesInRisk).join(', ')
  return names.length > namesInRisk ? `${shown} and ${names.length - namesInRisk} more` : shown
}

function keyLabel(group: KeyGroup): string {
  return group.known ? `${group.known.owner} (key ${group.known.id})` : `key ${group.keyId}`
}

/** The outcome for an rpm package list judged by `keys`. */
export function signatureOutcome(packages: readonly InstalledPackage[], keys: SigningKeyTable): CheckOutcome {
  const found = classifySignatures(packages, keys)
  const vendor = keys.vendor
  const risks: Risk[] = []
  const solutions: string[] = []
  const thirdPartyCount = found.thirdParty.reduce((sum, group) => sum + group.packages.length, 0)
  const unknownCount = found.unknown.reduce((sum, group) => sum + group.packages.length, 0)
  const messages = [
    vendor
      ? `Packages signed by ${vendor}: ${found.own}; by known third parties: ${thirdPartyCount}; by other keys: ${unknownCount}; not signed: ${found.unsigned.length} (key table as of ${vendorKeysAsOf}).`
      : `vendor-keys.json (as of ${vendorKeysAsOf}) has no keys for this distribution, so only unsigned packages can be told apart. Signed: ${thirdPartyCount + unknownCount + found.own}; not signed: ${found.unsigned.length}.`,
    ...found.thirdParty.map((group) => `Signed by ${keyLabel(group)}: ${group.packages.join(', ')}`),
    ...found.unknown.map((group) => `Signed by ${keyLabel(group)}: ${group.packages.join(', ')}`),
    ...(found.unsigned.length > 0 ? [`Not signed: ${found.unsigned.join(', ')}`] : []),
  ]

  if (found.unsigned.length > 0) {
    // Medium: nobody will rebuild them for the target, and they stay behind built for the old release.
    risks.push(
      risk(
        'medium',
        `Not signed (${found.unsigned.length}; built locally, or by a vendor that does not sign): ${listed(found.unsigned)}.`,
      ),
    )
    solutions.push(
      'Unsigned packages: rebuild each one for the target release from its source (rpm -qi NAME shows its Source RPM and Packager), or remove it before the upgrade and install the rebuilt one after.',
    )
  }
  if (vendor) {
    for (const group of found.unknown) {
      risks.push(
        risk(
          'medium',
          `Signed by ${keyLabel(group)}, which is neither ${vendor}'s nor a known third party's (${group.packages.length}): ${listed(group.packages)}.`,
        ),
      )
    }
    if (found.unknown.length > 0)
      solutions.push(
        `Packages signed by unknown keys: find the repository that ships them (\`rpm -qi NAME\` shows Vendor and Packager, \`rpm -qa gpg-pubkey --qf '%{VERSION} %{SUMMARY}\\n'\` names the imported keys), and get its build for the target release before the upgrade, or remove them.`,
      )
    for (const group of found.thirdParty) {
      // Slight: a maintained third party publishes builds for the next release; the repository
      // checks say how to switch to them.
      risks.push(
        risk('slight', `Signed by ${keyLabel(group)} (${group.packages.length}): ${listed(group.packages)}.`),
      )
    }
    if (found.thirdParty.length > 0)
      solutions.push(
        `Packages of known third parties (${found.thirdParty.map((group) => group.known?.owner).join(', ')}): ${vendor}'s upgrade leaves them as they are; switch each repository to its build for the target release (see the repository checks) and update them right after the upgrade.`,
      )
  }
  return vendor || risks.length > 0
    ? outcomeFromRisks(risks, solutions, messages)
    : informational(...messages)
}

export const packagesNotSignedByVendor = defineCheck({
  id: 'packages.not-signed-by-vendor',
  title: 'Packages not signed by the distribution',
  group: 'packages',
  description:
    "Packages that are not signed by the distribution's keys come from third parties or were built locally. The upgrade replaces only the distribution's packages: these stay built for the old release, linked against libraries the upgrade replaces, and may stop working or block the upgrade's dependency resolution.",
  needs: ['installedPackages'],
  appliesTo: ({ installedPackages }) =>
    installedPackages.format === 'dpkg'
      ? 'dpkg records no signature for installed packages: apt verifies the signed Release files of the repositories, not the packages, so who built an installed package cannot be told from it.'
      : undefined,
  run: ({ installedPackages }, { os }) =>
    signatureOutcome(installedPackages.packages, signingKeysFor(os.distro)),
})
