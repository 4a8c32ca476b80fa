// The package checks through the engine, on an EL root built with rpmbuild and named CentOS 7:
// what an administrator sees for it.
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { packagesBrokenDependencies } from '../../src/checks/packages-broken-dependencies.ts'
import { packagesNotSignedByVendor } from '../../src/checks/packages-not-signed-by-vendor.ts'
import { systemLocalExecutables } from '../../src/checks/system-local-executables.ts'
import { systemLocalFiles } from '../../src/checks/system-local-files.ts'
import { assess } from '../../src/engine/assess.ts'
import { openHost } from '../../src/host/host.ts'
import { type BuiltElroot, buildElroot } from '../helpers/build-elroot.ts'

let elroot: BuiltElroot
before(() => {
  elroot = buildElroot()
  writeFileSync(path.join(elroot.root, 'etc/redhat-release'), 'CentOS Linux release 7.9.2009 (Core)\n')
  mkdirSync(path.join(elroot.root, 'usr/local/bin'), { recursive: true })
  writeFileSync(
    path.join(elroot.root, 'usr/local/bin/backup.sh'),
    '#!/bin/bash\ntar czf /srv/backup.tgz /etc\n',
  )
  chmodSync(path.join(elroot.root, 'usr/local/bin/backup.sh'), 0o755)
})
after(() => elroot.remove())

test('broken requirements need action, unsigned packages and local scripts need inspection', async () => {
  const { assessment } = await assess(openHost({ root: elroot.root }), [
    systemLocalFiles,
    systemLocalExecutables,
    packagesNotSignedByVendor,
    packagesBrokenDependencies,
  ])
  const byId = new Map(assessment.results.map((result) => [result.id, result]))
  assert.equal(byId.get('packages.broken-dependencies')?.status, 'needs_action')
  assert.deepEqual(
    byId.get('packages.broken-dependencies')?.risks.map((found) => found.message),
    [
      'elroot-client-3.1-2.el9.noarch: unmet requirements (8); nothing installed provides elroot-absent, elroot-absent-a, elroot-absent-b, /usr/lib/elroot/missing-plugin, elroot-api, elroot-base, elroot-server, libelroot-gone.so.1()(64bit).',
      '10:elroot-localtool-6-5.el9.noarch: unmet requirements (1); nothing installed provides python(abi).',
    ],
  )
  assert.equal(byId.get('packages.not-signed-by-vendor')?.status, 'needs_inspection')
  assert.match(byId.get('packages.not-signed-by-vendor')?.risks[0]?.message ?? '', /^Not signed \(7; /)
  assert.equal(byId.get('system.local-files')?.status, 'informational')
  assert.ok(
    byId
      .get('system.local-files')
      ?.messages.includes('/usr/local/bin/ (directory; not-owned entries below it: 1)'),
  )
  assert.equal(byId.get('system.local-executables')?.status, 'needs_inspection')
  assert.ok(
    byId.get('system.local-executables')?.messages.includes('script: /usr/local/bin/backup.sh (#!/bin/bash)'),
  )
})
