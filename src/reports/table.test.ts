import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { resultWith, sampleAssessment, sampleResults } from '../../test/helpers/sample-assessment.ts'
import type { Assessment } from '../engine/assessment.ts'
import { checkList, riskLines, table, wrap } from './table.ts'

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is being looked for
const ansi = /\x1b\[[0-9;]*m/g

const tableRows = (text: string) => text.split('\n').filter((line) => line.startsWith('|'))

describe('table renderer', () => {
  test('reproduces the seed row for row when every check is notapplicable', () => {
    const gnome = resultWith('notapplicable')
    const text = table.render(sampleAssessment([gnome]), { width: 126 })
    const lines = text.split('\n')
    // Copied from the seed's preupg output (blog.txt), byte for byte.
    assert.ok(
      lines.includes(
        '|GNOME Desktop Environment underwent several design modifications in Red Hat Enterprise Linux 7 release      |notapplicable  |',
      ),
    )
    assert.ok(lines.includes('-'.repeat(126)))
  })

  test('sorts by severity and keeps every line inside the width', () => {
    const shuffled = [...sampleResults].reverse()
    for (const width of [126, 80, 50]) {
      const rows = tableRows(table.render(sampleAssessment(shuffled), { width }))
      const statuses = rows.map((row) => row.split('|')[2]?.trim()).filter(Boolean)
      assert.deepEqual(statuses, [
        'error',
        'fail',
        'needs_action',
        'needs_inspection',
        'fixed',
        'informational',
        'notapplicable',
        'pass',
      ])
      for (const row of rows) assert.equal([...row].length, width, row)
    }
  })

  test('wraps a long title onto continuation rows with an empty status cell', () => {
    const rows = tableRows(table.render(sampleAssessment([resultWith('notapplicable')]), { width: 60 }))
    assert.ok(rows.length > 1)
    assert.match(rows[0] ?? '', /^\|GNOME Desktop .*\|notapplicable {2}\|$/)
    assert.match(rows[1] ?? '', /^\|\S.* {15}\|$/)
  })

  test('without -v shows the risks and errors that need a person, not solutions or notes', () => {
    const text = table.render(sampleAssessment(), { width: 126 })
    assert.match(text, /EXTREME +CentOS 6\.5 is not the latest 6\.x release \(6\.10\)/)
    assert.match(text, /HIGH +UseDNS yes makes logins slow when DNS is down \(\/etc\/ssh\/sshd_config:12\)/)
    assert.match(text, /SLIGHT +2 installed packages are not in CentOS 7/)
    assert.match(text, /Could not run: All users: \/etc\/passwd: EACCES: permission denied/)
    assert.doesNotMatch(text, /Solution:/)
    assert.doesNotMatch(text, /\/ is mounted by UUID/)
  })

  test('-v adds solutions (keeping command indentation), messages and malformed lines', () => {
    const text = table.render(sampleAssessment(), { width: 126, verbose: 1 })
    assert.match(text, /Solution:\n +Update to CentOS 6\.10 first:\n {8}yum update\n/)
    assert.match(text, /sshd_config has 3 Match blocks/)
    assert.match(text, /malformed: \/etc\/fstab:7: expected 6 fields, found 4/)
    assert.doesNotMatch(text, /gnome-shell is not installed/)
    assert.match(table.render(sampleAssessment(), { verbose: 2 }), /gnome-shell is not installed/)
  })

  test('ends with counts, highest risk, where the files are and what the exit code means', () => {
    const text = table.render(sampleAssessment(), {
      written: { archive: '/out/results/preflight-results-140708210602.tar.gz', latest: '/out/latest' },
    })
    const tail = text.trimEnd().split('\n').slice(-6)
    assert.deepEqual(tail, [
      '8 checks: 1 error, 1 fail, 1 needs_action, 1 needs_inspection, 1 fixed, 1 informational, 1 notapplicable, 1 pass; highest',
      'risk: extreme.',
      'Skipped 1 malformed line in host files (-v lists them).',
      'Archive with the results: /out/results/preflight-results-140708210602.tar.gz',
      'The latest assessment is in /out/latest (open report.html in a browser).',
      'Exit code 2: extreme risk or a failed check: do not upgrade in place until these are resolved.',
    ])
  })

  test('the verdict names errors as unknown risk, and a clean run as clean', () => {
    const errorOnly = table.render(sampleAssessment([resultWith('error'), resultWith('pass')]))
    assert.match(errorOnly, /Exit code 2: 1 check could not give an answer \(error\), so the risk is unknown/)
    const clean = table.render(sampleAssessment([resultWith('pass'), resultWith('notapplicable')]))
    assert.match(clean, /Exit code 0: no risk found by the 2 checks that ran\./)
    const inspect = table.render(sampleAssessment([resultWith('needs_inspection')]))
    assert.match(inspect, /Exit code 0: at most medium risk: review the 1 needs_inspection result, then/)
    assert.match(table.render(sampleAssessment([])), /No checks ran\.[\s\S]*Exit code 0: no checks ran/)
  })

  test('the heading names the host, the system and the target, and an unnamed offline root once', () => {
    assert.match(
      table.render(sampleAssessment()),
      /^Result table for pingu, CentOS release 6\.5 \(Final\) to CentOS 7:\n/,
    )
    const offline = sampleAssessment()
    offline.host = { ...offline.host, live: false, root: '/mnt/el6', hostname: '/mnt/el6' }
    assert.match(table.render(offline), /^Result table for offline root \/mnt\/el6, CentOS/)
    offline.host.hostname = 'pingu'
    assert.match(table.render(offline), /^Result table for pingu \(offline root \/mnt\/el6\), CentOS/)
  })

  test('the heading names the target as people do, with its codename', () => {
    const heading = (target: Assessment['target']) =>
      table.render({ ...sampleAssessment(), target }).split('\n')[0]
    assert.equal(
      heading({ distro: 'debian', major: 13, version: '13', codename: 'trixie' }),
      'Result table for pingu, CentOS release 6.5 (Final) to Debian 13 (trixie):',
    )
    assert.match(
      heading({ distro: 'rhel', major: 9, version: '9' }) ?? '',
      / to Red Hat Enterprise Linux 9:$/,
    )
    assert.match(heading({ distro: 'rocky', major: 9, version: '9' }) ?? '', / to rocky 9:$/)
    assert.match(heading(undefined) ?? '', / to an unknown target release:$/)
  })

  test('says when the run was narrowed', () => {
    const narrowed = {
      ...sampleAssessment(),
      selection: { select: ['network'], skip: ['network.x'], strict: true },
    }
    assert.match(
      table.render(narrowed),
      /Only part of the catalogue ran \(--select network --skip network\.x --strict\)\./,
    )
  })

  test('colours statuses only when asked', () => {
    assert.doesNotMatch(table.render(sampleAssessment()), ansi)
    const coloured = table.render(sampleAssessment(), { color: true })
    assert.match(coloured, ansi)
    for (const row of tableRows(coloured)) assert.equal([...row.replace(ansi, '')].length, 126)
  })

  test('host text cannot send escape sequences to the terminal', () => {
    const hostile = resultWith('needs_action', {
      title: 'Evil\x1b[2J title',
      risks: [{ level: 'high', message: 'line \x1b]0;pwned\x07 here' }],
    })
    const text = table.render(sampleAssessment([hostile]))
    assert.ok(!text.includes('\x1b'))
    assert.match(text, /Evil\\x1b\[2J title/)
    assert.match(text, /line \\x1b\]0;pwned\\x07 here/)
  })
})

test('wrap keeps words whole, cuts overlong ones and keeps indentation', () => {
  assert.deepEqual(wrap('one two three four five', 12), ['one two', 'three four', 'five'])
  assert.deepEqual(wrap('abcdefghijklmnopqrstuvwxyz', 10), ['abcdefghij', 'klmnopqrst', 'uvwxyz'])
  assert.deepEqual(wrap('  yum update --assumeyes', 14), ['  yum update', '  --assumeyes'])
})

test('riskLines lists risks at or above a level, most severe result first', () => {
  assert.deepEqual(riskLines(sampleResults, 'high'), [
    'EXTREME: Checking the system version and variant [system.system-version]: CentOS 6.5 is not the latest 6.x release (6.10)',
    'HIGH: OpenSSH sshd_config migration content [network.ssh-use-dns]: UseDNS yes makes logins slow when DNS is down (/etc/ssh/sshd_config:12)',
  ])
  assert.equal(riskLines(sampleResults, 'slight').length, 4)
})

test('checkList aligns id, group and title, and says when there is nothing', () => {
  assert.equal(
    checkList([
      { id: 'system.system-version', group: 'system', title: 'System version' },
      { id: 'network.nfs-v2', group: 'network', title: 'NFSv2 mounts' },
    ]),
    [
      'ID                     GROUP    TITLE',
      'system.system-version  system   System version',
      'network.nfs-v2         network  NFSv2 mounts',
      '',
    ].join('\n'),
  )
  assert.equal(checkList([]), 'No checks are registered.\n')
})
