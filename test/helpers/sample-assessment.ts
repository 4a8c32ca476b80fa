/**
 * @module
 * A hand-built assessment of the seed's host (CentOS 6.5 "pingu" to 7) with one result of every
 * status, for the renderer, schema, browser and CLI tests. Only tests import it.
 */
import type { Status } from '../../src/checks/result.ts'
import type { Assessment, CheckResult } from '../../src/engine/assessment.ts'
import { summarize } from '../../src/engine/risk.ts'

type ResultInput = Pick<CheckResult, 'id' | 'title' | 'status'> & Partial<CheckResult>

function result(input: ResultInput): CheckResult {
  return {
    group: input.id.split('.')[0] as CheckResult['group'],
    description: `What ${input.title} looks at.`,
    risks: [],
    messages: [],
    warnings: [],
    ms: 1,
    ...input,
  }
}

export const sampleResults: readonly CheckResult[] = [
  result({
    id: 'system.system-version',
    title: 'Checking the system version and variant',
    status: 'fail',
    risks: [{ level: 'extreme', message: 'CentOS 6.5 is not the latest 6.x release (6.10)' }],
    solution: 'Update to CentOS 6.10 first:\n  yum update',
  }),
  result({
    id: 'network.ssh-use-dns',
    title: 'OpenSSH sshd_config migration content',
    status: 'needs_action',
    risks: [
      {
        level: 'high',
        message: 'UseDNS yes makes logins slow when DNS is down',
        file: '/etc/ssh/sshd_config',
        line: 12,
      },
      { level: 'medium', message: 'Protocol 1 is not supported by OpenSSH 7' },
    ],
    solution: 'Set UseDNS no in /etc/ssh/sshd_config.',
    messages: ['sshd_config has 3 Match blocks'],
  }),
  result({
    id: 'packages.removed-packages',
    title: 'Removed rpms',
    status: 'needs_inspection',
    risks: [{ level: 'slight', message: '2 installed packages are not in CentOS 7' }],
    solution: 'Review the list of removed packages.',
  }),
  result({
    id: 'security.reserved-ids',
    title: 'Incorrect usage of reserved UID/GIDs',
    status: 'error',
    error: 'All users: /etc/passwd: EACCES: permission denied',
  }),
  result({
    id: 'system.fstab-bypath',
    title: 'File Systems, Partitions and Mounts Configuration Review',
    status: 'informational',
    messages: ['/ is mounted by UUID'],
    warnings: [{ file: '/etc/fstab', line: 7, message: 'expected 6 fields, found 4' }],
  }),
  result({ id: 'system.kernel-kdump', title: 'Kernel crash dumps', status: 'fixed' }),
  result({
    id: 'desktop.gnome',
    title:
      'GNOME Desktop Environment underwent several design modifications in Red Hat Enterprise Linux 7 release',
    status: 'notapplicable',
    messages: ['gnome-shell is not installed'],
  }),
  result({ id: 'security.pam', title: 'Plugable authentication modules (PAM)', status: 'pass' }),
]

/** The sample assessment; `results` replaces the results (the summary follows them). */
export function sampleAssessment(results: readonly CheckResult[] = sampleResults): Assessment {
  return {
    schemaVersion: 1,
    tool: { name: 'preflight', version: '0.1.0' },
    runId: '140708210602',
    host: {
      hostname: 'pingu',
      root: '/',
      live: true,
      os: {
        distro: 'centos',
        family: 'rhel',
        name: 'CentOS release 6.5 (Final)',
        version: '6.5',
        major: 6,
        minor: 5,
        codename: 'Final',
        source: '/etc/redhat-release',
      },
    },
    target: { distro: 'centos', major: 7, version: '7' },
    selection: { select: [], skip: [], strict: false },
    startedAt: '2014-07-08T21:06:02.000Z',
    finishedAt: '2014-07-08T21:06:03.250Z',
    timings: {
      totalMs: 1250,
      factsMs: 1100,
      checksMs: 150,
      facts: [
        { id: 'osIdentity', title: 'Operating system', ms: 1 },
        { id: 'users', title: 'All users', ms: 2, error: '/etc/passwd: EACCES: permission denied' },
      ],
    },
    summary: summarize(results),
    results: [...results],
  }
}

/** One result per status, for tests that need a particular status. */
export function resultWith(status: Status, overrides: Partial<CheckResult> = {}): CheckResult {
  const found = sampleResults.find((candidate) => candidate.status === status)
  if (!found) throw new Error(`no sample result with status ${status}`)
  return { ...found, ...overrides }
}
