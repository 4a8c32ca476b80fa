import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type {
  BrokenDependencies,
  BrokenDependency,
} from '../facts/packages/dependencies/broken-dependencies.ts'
import type { CheckContext } from './define-check.ts'
import { packagesBrokenDependencies } from './packages-broken-dependencies.ts'
import { finalStatus } from './result.ts'

const context: CheckContext = {
  os: {
    distro: 'centos',
    family: 'rhel',
    name: 'CentOS release 6.5 (Final)',
    version: '6.5',
    major: 6,
    minor: 5,
  },
  target: { distro: 'centos', major: 7, version: '7' },
}

/** Lines of the seed blog's "Found 20 pre-existing rpmdb problem(s)" as our fact carries them. */
const seedLines = [
  'aiccu-2007.01.15-7.el6.x86_64|libgnutls.so.26()(64bit)',
  'aiccu-2007.01.15-7.el6.x86_64|libgnutls.so.26(GNUTLS_1_4)(64bit)',
  "cas-0.15-1.el6.1.noarch|python(abi) = ('0', '2.6', None)",
  "10:centos-release-SCL-6-5.el6.centos.x86_64|centos-release = ('0', '6', None)",
  'cloog-ppl-0.15.7-1.2.el6.x86_64|libgmp.so.3()(64bit)',
  "hal-info-20090716-3.1.el6.noarch|hal >= ('0', '0.5.10', None)",
  '1:readahead-1.5.6-2.el6.x86_64|upstart',
]

function brokenEntry(line: string): BrokenDependency {
  const [pkg = '', requirement = ''] = line.split('|')
  return {
    package: pkg,
    field: 'requires',
    requirement,
    line: `${pkg} has missing requires of ${requirement}`,
    missing: [requirement.split(' ')[0] as string],
  }
}

function facts(
  broken: BrokenDependency[],
  format: 'rpm' | 'dpkg' = 'rpm',
): { brokenDependencies: BrokenDependencies } {
  return {
    brokenDependencies: { format, packagesChecked: 1380, requirementsChecked: 20511, broken, warnings: [] },
  }
}

function run(input: ReturnType<typeof facts>) {
  const outcome = packagesBrokenDependencies.run(input, context)
  assert.ok(!(outcome instanceof Promise))
  return outcome
}

describe('packages.broken-dependencies', () => {
  test("the seed blog's rpmdb problems: one high risk per package, every yum check line in the messages", () => {
    const outcome = run(facts(seedLines.map(brokenEntry)))
    assert.equal(finalStatus(outcome).status, 'needs_action')
    assert.deepEqual(
      outcome.risks.map((found) => found.message),
      [
        'aiccu-2007.01.15-7.el6.x86_64: unmet requirements (2); nothing installed provides libgnutls.so.26()(64bit), libgnutls.so.26(GNUTLS_1_4)(64bit).',
        'cas-0.15-1.el6.1.noarch: unmet requirements (1); nothing installed provides python(abi).',
        '10:centos-release-SCL-6-5.el6.centos.x86_64: unmet requirements (1); nothing installed provides centos-release.',
        'cloog-ppl-0.15.7-1.2.el6.x86_64: unmet requirements (1); nothing installed provides libgmp.so.3()(64bit).',
        'hal-info-20090716-3.1.el6.noarch: unmet requirements (1); nothing installed provides hal.',
        '1:readahead-1.5.6-2.el6.x86_64: unmet requirements (1); nothing installed provides upstart.',
      ],
    )
    assert.ok(outcome.risks.every((found) => found.level === 'high'))
    assert.deepEqual(outcome.messages.slice(1, 4), [
      'aiccu-2007.01.15-7.el6.x86_64 has missing requires of libgnutls.so.26()(64bit)',
      'aiccu-2007.01.15-7.el6.x86_64 has missing requires of libgnutls.so.26(GNUTLS_1_4)(64bit)',
      "cas-0.15-1.el6.1.noarch has missing requires of python(abi) = ('0', '2.6', None)",
    ])
    assert.match(outcome.solution ?? '', /yum check/)
    assert.match(
      outcome.solution ?? '',
      /yum remove aiccu-2007\.01\.15-7\.el6\.x86_64 cas-0\.15-1\.el6\.1\.noarch 10:centos-release-SCL/,
    )
  })

  test('a dpkg host is told about apt-get check and apt --fix-broken install', () => {
    const outcome = run(
      facts(
        [
          {
            package: 'app',
            field: 'Depends',
            requirement: 'Depends: libfoo1 (>= 1.3)',
            line: 'app : Depends: libfoo1 (>= 1.3)',
            missing: ['libfoo1'],
          },
        ],
        'dpkg',
      ),
    )
    assert.equal(finalStatus(outcome).status, 'needs_action')
    assert.match(outcome.solution ?? '', /apt --fix-broken install/)
    assert.match(
      outcome.messages[0] ?? '',
      /as apt-get check checks them: 20511, of 1380 installed packages; unmet: 1\./,
    )
  })

  test('nothing broken passes', () => {
    const outcome = run(facts([]))
    assert.equal(outcome.status, 'pass')
    assert.equal(outcome.solution, undefined)
  })
})
