// The dependency check against the package managers' own: rpm's (`rpm -Va --nofiles` prints
// "X is needed by (installed) P") on a root built with rpmbuild and on real container databases
// with packages erased by rpm itself, and apt's (`apt-get check`) on dpkg status files.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type BuiltElroot, buildElroot } from '../../../../test/helpers/build-elroot.ts'
import { openHost } from '../../../host/host.ts'
import { readRpmdb } from '../rpm/rpmdb.ts'
import { rpmPackageLabel } from '../verify/rpm-verify.ts'
import { readBrokenDependencies } from './broken-dependencies.ts'
import { rpmRelations } from './rpm-relations.ts'
import { type Requirement, unsatisfiedRelations } from './unsatisfied-relations.ts'

const rpmdbFixtures = fileURLToPath(new URL('../../../../test/fixtures/rpmdb/', import.meta.url))
const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-deps-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const gather = (root: string) => ({ host: openHost({ root }), progress() {} })

/** "requirement\tpackage" pairs from rpm -V's "Unsatisfied dependencies" blocks; rpmlib() ones left out as we skip them. */
function rpmUnsatisfied(output: string): string[] {
  const pairs = new Set<string>()
  for (const line of output.split('\n')) {
    const match = /^\t(.*) is needed by \(installed\) (.*)$/.exec(line)
    if (match && !match[1]?.startsWith('rpmlib(')) pairs.add(`${match[1]}\t${match[2]}`)
  }
  return [...pairs].sort()
}

/** The same pairs from our resolver, with requirements written as rpm writes them. */
async function ourUnsatisfied(root: string, dbFile: string): Promise<string[]> {
  const db = await readRpmdb(openHost({ root }), dbFile)
  const relations = rpmRelations(db.packages, db.path)
  const rpmText = (requirement: Requirement, yumText: string) =>
    requirement.op === 'capability' && requirement.capability.relation
      ? `${requirement.capability.name} ${requirement.capability.relation} ${requirement.capability.version}`
      : yumText
  return unsatisfiedRelations(relations.packages, relations.index)
    .map(
      ({ package: pkg, relation }) =>
        `${rpmText(relation.requirement, relation.text)}\t${rpmPackageLabel(pkg.rpm)}`,
    )
    .sort()
}

describe('on an EL root built with rpmbuild', () => {
  let elroot: BuiltElroot
  before(() => {
    elroot = buildElroot()
  })
  after(() => elroot.remove())

  test('reports what rpm -Va --nofiles reports', async () => {
    const expected = rpmUnsatisfied(elroot.rpm('-Va', '--nofiles'))
    assert.equal(expected.length, 9, 'the fixture packages have nine unmet requirements')
    assert.deepEqual(await ourUnsatisfied(elroot.root, '/var/lib/rpm/rpmdb.sqlite'), expected)
  })

  test('names them as yum check does, in its order', async () => {
    const facts = await readBrokenDependencies(gather(elroot.root), {
      format: 'rpm',
      path: '/var/lib/rpm/rpmdb.sqlite',
    })
    assert.deepEqual(
      facts.broken.map((entry) => entry.line),
      [
        'elroot-client-3.1-2.el9.noarch has missing requires of (elroot-absent if elroot-base)',
        'elroot-client-3.1-2.el9.noarch has missing requires of (elroot-absent-a or elroot-absent-b)',
        'elroot-client-3.1-2.el9.noarch has missing requires of (elroot-base without elroot-api)',
        'elroot-client-3.1-2.el9.noarch has missing requires of /usr/lib/elroot/missing-plugin',
        "elroot-client-3.1-2.el9.noarch has missing requires of elroot-api >= ('0', '2', None)",
        "elroot-client-3.1-2.el9.noarch has missing requires of elroot-base >= ('0', '2.0', None)",
        "elroot-client-3.1-2.el9.noarch has missing requires of elroot-server < ('0', '3', None)",
        'elroot-client-3.1-2.el9.noarch has missing requires of libelroot-gone.so.1()(64bit)',
        "10:elroot-localtool-6-5.el9.noarch has missing requires of python(abi) = ('0', '2.6', None)",
      ],
    )
    assert.deepEqual(facts.broken.at(-1)?.missing, ['python(abi)'])
    assert.deepEqual(facts.broken[1]?.missing, ['elroot-absent-a', 'elroot-absent-b'])
    assert.equal(facts.packagesChecked, 7)
    assert.deepEqual(facts.warnings, [])
  })

  test('a file require is met by another package even when the file is gone from the disk', async () => {
    rmSync(path.join(elroot.root, 'usr/bin/elroot-hello'))
    const facts = await readBrokenDependencies(gather(elroot.root), {
      format: 'rpm',
      path: '/var/lib/rpm/rpmdb.sqlite',
    })
    assert.ok(!facts.broken.some((entry) => entry.requirement === '/usr/bin/elroot-hello'))
  })
})

describe('on an EL root installed with --excludedocs', () => {
  let elroot: BuiltElroot
  before(() => {
    elroot = buildElroot({ installOptions: ['--excludedocs'] })
  })
  after(() => elroot.remove())

  test('a file rpm did not install does not satisfy a file require, as rpm -Va --nofiles says', async () => {
    const expected = rpmUnsatisfied(elroot.rpm('-Va', '--nofiles'))
    assert.ok(expected.includes('/usr/share/doc/elroot-base/README\telroot-client-3.1-2.el9.noarch'))
    assert.deepEqual(await ourUnsatisfied(elroot.root, '/var/lib/rpm/rpmdb.sqlite'), expected)
  })
})

/** Real container databases: intact they have no problems; with packages erased by rpm itself, the ones rpm finds. */
describe('on real rpm databases with packages erased', () => {
  const cases = [
    { fixture: 'amazonlinux2023-plain', erase: ['openssl-libs', 'bash', 'grep', 'glibc-gconv-extra'] },
    { fixture: 'cbl-mariner-2.0', erase: ['openssl-libs', 'bash', 'zlib', 'systemd-rpm-macros'] },
  ]
  for (const { fixture, erase } of cases) {
    test(fixture, async () => {
      const root = path.join(scratch, fixture)
      const dbDir = path.join(root, 'var/lib/rpm')
      mkdirSync(dbDir, { recursive: true })
      copyFileSync(path.join(rpmdbFixtures, fixture, 'rpmdb.sqlite'), path.join(dbDir, 'rpmdb.sqlite'))
      const rpm = (...args: string[]) =>
        spawnSync('rpm', ['--dbpath', dbDir, '--define', '_db_backend sqlite', ...args], { encoding: 'utf8' })

      assert.deepEqual(rpmUnsatisfied(rpm('-Va', '--nofiles').stdout), [])
      assert.deepEqual(await ourUnsatisfied(root, '/var/lib/rpm/rpmdb.sqlite'), [])

      const installed = rpm('-qa', '--qf', '%{NAME}\n').stdout.split('\n')
      const erased = erase.filter((name) => installed.includes(name))
      assert.ok(erased.length >= 3, `${fixture} has most of ${erase.join(', ')}`)
      assert.equal(rpm('-e', '--justdb', '--nodeps', '--noscripts', ...erased).status, 0)
      const expected = rpmUnsatisfied(rpm('-Va', '--nofiles').stdout)
      assert.ok(expected.length > 10, `erasing ${erased.join(', ')} breaks requirements`)
      assert.deepEqual(await ourUnsatisfied(root, '/var/lib/rpm/rpmdb.sqlite'), expected)
    })
  }
})

/**
 * apt-get check on a status file of our own: no sources, no cache, no lock, the given
 * architectures. "pkg field alternative" triples of its "unmet dependencies" lines.
 */
function aptUnmet(status: string, architectures: string[]): { triples: string[]; status: number | null } {
  const dir = mkdtempSync(path.join(scratch, 'apt-'))
  for (const sub of ['lists/partial', 'cache/archives/partial', 'parts'])
    mkdirSync(path.join(dir, sub), { recursive: true })
  writeFileSync(path.join(dir, 'status'), status)
  writeFileSync(path.join(dir, 'sources.list'), '')
  const [native, ...foreign] = architectures
  const options = [
    `Dir::State::status=${dir}/status`,
    `Dir::Etc::SourceList=${dir}/sources.list`,
    `Dir::Etc::SourceParts=${dir}/parts`,
    `Dir::Etc::preferences=${dir}/sources.list`,
    `Dir::Etc::PreferencesParts=${dir}/parts`,
    `Dir::Cache=${dir}/cache`,
    `Dir::State::Lists=${dir}/lists`,
    `Dir::State::extended_states=${dir}/extended_states`,
    'Debug::NoLocking=1',
    `APT::Architecture=${native}`,
    ...foreign.map((arch) => `APT::Architectures::=${arch}`),
  ].flatMap((option) => ['-o', option])
  const result = spawnSync('apt-get', ['check', ...options], { encoding: 'utf8' })
  const triples: string[] = []
  let current = ''
  for (const line of result.stdout.split('\n')) {
    const first = /^ (\S+) : (.*)$/.exec(line)
    if (first) current = first[1] as string
    const rest = first ? first[2] : /^\s+(\w+: .*)$/.exec(line)?.[1]
    const field = rest && /^(\w+): (\S+(?: \([^)]*\))?)/.exec(rest)
    if (field) triples.push(`${current} ${field[1]} ${field[2]}`)
  }
  return { triples: triples.sort(), status: result.status }
}

function stanza(fields: Record<string, string>): string {
  return Object.entries({ Status: 'install ok installed', Version: '1.0', Architecture: 'amd64', ...fields })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')
}

describe('on dpkg status files', () => {
  const status = [
    stanza({ Package: 'dpkg', Version: '1.21.22' }),
    stanza({ Package: 'libc6', Version: '2.36-9', 'Multi-Arch': 'same' }),
    stanza({
      Package: 'libfoo1',
      Version: '1:1.2-3',
      'Multi-Arch': 'same',
      Provides: 'libfoo-abi-1, foo-virtual (= 2.0)',
    }),
    stanza({ Package: 'libbar1', Architecture: 'i386', 'Multi-Arch': 'same' }),
    stanza({ Package: 'tool', Architecture: 'i386', 'Multi-Arch': 'foreign', Version: '3.0' }),
    stanza({ Package: 'python3', 'Multi-Arch': 'allowed', Version: '3.11.2-1' }),
    stanza({ Package: 'scripts', Architecture: 'all', Depends: 'libc6 (>= 2.36), python3' }),
    stanza({ Package: 'old-lib', Status: 'deinstall ok config-files' }),
    stanza({
      Package: 'app',
      Depends:
        'libc6 (>= 2.36), libfoo1 (>= 1:1.3), libfoo1 (>= 2.0), libfoo-abi-1, libfoo-abi-1 (>= 1), foo-virtual (>= 1.5), foo-virtual (>= 2.1),\n missing-one | libfoo1, missing-two | missing-three (>= 2), libbar1, tool, python3:any, libfoo1:any, old-lib, libc6 (< 2.40), libc6 (> 2.40)',
      'Pre-Depends': 'libc6 (<< 2.30)',
    }),
    stanza({ Package: 'app32', Architecture: 'i386', Depends: 'libc6, libbar1, tool' }),
  ].join('\n\n')

  test('reports what apt-get check reports', async () => {
    const apt = aptUnmet(`${status}\n`, ['amd64', 'i386'])
    assert.equal(apt.status, 100, 'apt-get check fails on the broken set')
    const root = path.join(scratch, 'dpkg-root')
    mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true })
    writeFileSync(path.join(root, 'var/lib/dpkg/status'), `${status}\n`)
    const facts = await readBrokenDependencies(gather(root), { format: 'dpkg', path: '/var/lib/dpkg/status' })
    // apt spells the operators as relations (<< is <, the obsolete > is >=) and names the
    // architecture a foreign package's unqualified dependency needs.
    const aptOperators: Record<string, string> = { '<<': '<', '>>': '>', '<': '<=', '>': '>=' }
    const ours = facts.broken
      .map((entry) => {
        const [field, name, operator, version] =
          /^(\w+): (\S+)(?: \((\S+) ([^)]+)\))?/.exec(entry.requirement)?.slice(1) ?? []
        const arch =
          entry.package.includes(':') && !name?.includes(':') ? `:${entry.package.split(':')[1]}` : ''
        const relation = operator ? ` (${aptOperators[operator] ?? operator} ${version})` : ''
        return `${entry.package} ${field} ${name}${arch}${relation}`
      })
      .sort()
    assert.deepEqual(ours, apt.triples)
    assert.deepEqual(
      facts.broken.map((entry) => entry.line),
      [
        'app : PreDepends: libc6 (<< 2.30)',
        'app : Depends: libfoo1 (>= 1:1.3)',
        'app : Depends: libfoo-abi-1 (>= 1)',
        'app : Depends: foo-virtual (>= 2.1)',
        'app : Depends: missing-two | missing-three (>= 2)',
        'app : Depends: libbar1',
        'app : Depends: libfoo1:any',
        'app : Depends: old-lib',
        'app : Depends: libc6 (> 2.40)',
        'app32:i386 : Depends: libc6',
      ],
    )
    assert.equal(facts.packagesChecked, 9)
  })

  test('this machine is as clean or as broken as apt-get check says', async () => {
    const facts = await readBrokenDependencies(gather('/'), { format: 'dpkg', path: '/var/lib/dpkg/status' })
    const apt = spawnSync('apt-get', ['check', '-o', 'Debug::NoLocking=1'], { encoding: 'utf8' })
    assert.equal(facts.broken.length === 0, apt.status === 0, apt.stdout)
  })
})
