// Signatures made by rpmsign with throwaway gpg keys, read back from the database and compared with
// what rpm prints; the classification by key table; the key table itself.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type BuiltElroot, buildElroot } from '../../test/helpers/build-elroot.ts'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import type { InstalledPackage } from '../facts/packages/package-source.ts'
import { rpmPackageSource } from '../facts/packages/rpm/rpm-package-source.ts'
import { openHost } from '../host/host.ts'
import vendorKeysData from './data/vendor-keys.json' with { type: 'json' }
import { type SigningKeyTable, shortKeyId, signingKeysFor } from './data/vendor-keys.ts'
import {
  classifySignatures,
  packagesNotSignedByVendor,
  signatureOutcome,
} from './packages-not-signed-by-vendor.ts'
import { finalStatus } from './result.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

describe('with packages signed by rpmsign', () => {
  let elroot: BuiltElroot
  let packages: InstalledPackage[]
  let table: SigningKeyTable
  before(async () => {
    elroot = buildElroot({
      sign: { 'elroot-base': 'vendor', 'elroot-data': 'vendor', 'elroot-server': 'thirdParty' },
    })
    const keys = elroot.keys
    assert.ok(keys)
    const database = await rpmPackageSource.read(
      { host: openHost({ root: elroot.root }), progress() {} },
      '/var/lib/rpm/rpmdb.sqlite',
    )
    packages = database.packages
    table = {
      vendor: 'Test Vendor',
      own: new Map([[shortKeyId(keys.vendor.keyId), { id: keys.vendor.keyId, owner: 'Test Vendor' }]]),
      thirdParty: new Map([
        [shortKeyId(keys.thirdParty.keyId), { id: keys.thirdParty.keyId, owner: 'Test Third Party' }],
      ]),
    }
  })
  after(() => elroot.remove())

  test('each package has the key id rpm prints for it', () => {
    const rpmSays = new Map(
      elroot
        .rpm('-qa', '--qf', '%{NAME} %{RSAHEADER:pgpsig}\n')
        .trim()
        .split('\n')
        .map((line) => {
          const [name = '', ...signature] = line.split(' ')
          return [name, /Key ID ([0-9a-f]{16})/.exec(signature.join(' '))?.[1]] as const
        }),
    )
    assert.equal(rpmSays.get('elroot-base'), elroot.keys?.vendor.keyId)
    assert.equal(rpmSays.get('elroot-server'), elroot.keys?.thirdParty.keyId)
    assert.equal(packages.length, rpmSays.size)
    for (const pkg of packages) assert.equal(pkg.signatureKeyId, rpmSays.get(pkg.name)?.slice(-8), pkg.name)
  })

  test('sorts them into own, third-party and unsigned', () => {
    const found = classifySignatures(packages, table)
    assert.equal(found.own, 2)
    assert.deepEqual(
      found.thirdParty.map((group) => [group.known?.owner, group.packages]),
      [['Test Third Party', ['elroot-server-0.9-1.el9_3.noarch']]],
    )
    assert.deepEqual(found.unknown, [])
    assert.deepEqual(found.unsigned.sort(), [
      'elroot-client-3.1-2.el9.noarch',
      'elroot-filesystem-1.0-1.el9.noarch',
      'elroot-initscript-1.0-1.el6.noarch',
      'elroot-localtool-6-5.el9.noarch',
    ])
    const outcome = signatureOutcome(packages, table)
    assert.deepEqual(
      outcome.risks.map((found) => found.level),
      ['medium', 'slight'],
    )
    assert.equal(finalStatus(outcome).status, 'needs_inspection')
    assert.match(
      outcome.messages[0] ?? '',
      /^Packages signed by Test Vendor: 2; by known third parties: 1; by other keys: 0; not signed: 4 /,
    )
  })

  test("judged as CentOS, the throwaway keys are nobody's: a medium risk for each", () => {
    const outcome = signatureOutcome(packages, signingKeysFor('centos'))
    const messages = outcome.risks.map((found) => found.message)
    assert.equal(outcome.risks.length, 3)
    assert.ok(outcome.risks.every((found) => found.level === 'medium'))
    assert.ok(
      messages.some((message) =>
        message.startsWith(
          `Signed by key ${shortKeyId(elroot.keys?.vendor.keyId ?? '')}, which is neither CentOS's nor a known third party's (2): `,
        ),
      ),
    )
  })

  test('through the engine on the root as CentOS 7', async () => {
    writeFileSync(path.join(elroot.root, 'etc/redhat-release'), 'CentOS Linux release 7.9.2009 (Core)\n')
    const result = await runCheckOn(packagesNotSignedByVendor, elroot.root)
    assert.equal(result.status, 'needs_inspection')
  })
})

describe('judging a package list', () => {
  const pkg = (name: string, signatureKeyId?: string): InstalledPackage => ({
    name,
    version: '1.0',
    release: '1.el6',
    arch: 'x86_64',
    ...(signatureKeyId ? { signatureKeyId } : {}),
  })
  const list = [
    pkg('bash', 'c105b9de'),
    pkg('coreutils', 'c105b9de'),
    pkg('htop', '0608b895'),
    pkg('gpg-pubkey'),
    pkg('mytool'),
    pkg('vendorapp', 'deadbeef'),
  ]

  test('CentOS 6: EPEL is a known third party, unknown keys and unsigned packages are medium risks', () => {
    const outcome = signatureOutcome(list, signingKeysFor('centos'))
    assert.deepEqual(
      outcome.risks.map(({ level, message }) => [level, message]),
      [
        [
          'medium',
          'Not signed (1; built locally, or by a vendor that does not sign): mytool-1.0-1.el6.x86_64.',
        ],
        [
          'medium',
          "Signed by key deadbeef, which is neither CentOS's nor a known third party's (1): vendorapp-1.0-1.el6.x86_64.",
        ],
        ['slight', 'Signed by EPEL 6 (key 3b49df2a0608b895) (1): htop-1.0-1.el6.x86_64.'],
      ],
    )
    assert.match(
      outcome.messages[0] ?? '',
      /^Packages signed by CentOS: 2; by known third parties: 1; by other keys: 1; not signed: 1 /,
    )
  })

  test('RHEL: the CentOS key is just another key', () => {
    const found = classifySignatures(list, signingKeysFor('rhel'))
    assert.equal(found.own, 0)
    assert.deepEqual(
      found.unknown.map((group) => [group.keyId, group.packages.length]),
      [
        ['c105b9de', 2],
        ['deadbeef', 1],
      ],
    )
  })

  test('a distribution without a key table: only unsigned packages are judged', () => {
    const signedOnly = signatureOutcome(
      list.filter((entry) => entry.signatureKeyId),
      signingKeysFor('amzn'),
    )
    assert.equal(signedOnly.status, 'informational')
    const withUnsigned = signatureOutcome(list, signingKeysFor('amzn'))
    assert.deepEqual(
      withUnsigned.risks.map((found) => found.level),
      ['medium'],
    )
  })

  test('all signed by the distribution passes', () => {
    assert.equal(signatureOutcome(list.slice(0, 2), signingKeysFor('centos')).status, 'pass')
  })
})

describe('vendor-keys.json', () => {
  test('has the five Red Hat keys the Preupgrade Assistant trusted', () => {
    const rhel = signingKeysFor('rhel')
    for (const id of [
      '199e2f91fd431d51',
      '5326810137017186',
      '938a80caf21541eb',
      'fd372689897da07a',
      '45689c882fa658e0',
    ])
      assert.equal(rhel.own.get(shortKeyId(id))?.id, id)
  })

  test('no short id means two keys, and no key is both a distribution one and a third party one', () => {
    const ids = [
      ...Object.values(vendorKeysData.distributions).flatMap((distribution) =>
        distribution.keys.map((key) => key.id),
      ),
      ...vendorKeysData.thirdParty.map((key) => key.id),
    ]
    const byShort = new Map<string, Set<string>>()
    for (const id of ids) byShort.set(shortKeyId(id), new Set([...(byShort.get(shortKeyId(id)) ?? []), id]))
    assert.deepEqual(
      [...byShort].filter(([, full]) => full.size > 1),
      [],
    )
    for (const distro of Object.keys(vendorKeysData.distributions)) {
      const keys = signingKeysFor(distro)
      for (const short of keys.own.keys()) assert.ok(!keys.thirdParty.has(short), `${distro} ${short}`)
    }
  })
})

describe('on a dpkg host', () => {
  test('is not applicable, and says why', async () => {
    const result = await runCheckOn(packagesNotSignedByVendor, path.join(roots, 'debian12-clean'))
    assert.equal(result.status, 'notapplicable')
    assert.match(result.messages[0] ?? '', /dpkg records no signature/)
  })
})
