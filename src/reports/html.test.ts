import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { resultWith, sampleAssessment } from '../../test/helpers/sample-assessment.ts'
import { statuses } from '../checks/result.ts'
import { html } from './html.ts'

const hostile = '<img src=x onerror="alert(1)">'

function inline(page: string, tag: 'style' | 'script'): string {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page)
  assert.ok(match, `no <${tag}>`)
  return match[1] ?? ''
}

describe('HTML report', () => {
  const page = html.render(sampleAssessment())

  test('is one file that names no URL, so opening it requests nothing', () => {
    assert.equal(html.fileName, 'report.html')
    assert.doesNotMatch(page, /\b(?:src|href|srcset|action|poster|data)\s*=/i)
    assert.doesNotMatch(page, /url\(|@import|https?:|\/\/[a-z]/i)
    assert.equal(page.match(/<style>/g)?.length, 1)
    assert.equal(page.match(/<script>/g)?.length, 1)
  })

  test('its Content-Security-Policy allows exactly its own style and script, nothing else', () => {
    const attribute = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? ''
    const policy = attribute.replaceAll('&#39;', "'")
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    assert.match(policy, /^default-src 'none'; /)
    assert.ok(policy.includes(`style-src ${hash(inline(page, 'style'))}`))
    assert.ok(policy.includes(`script-src ${hash(inline(page, 'script'))}`))
  })

  test('shows identity, target, timings and the verdict', () => {
    assert.match(page, /<h1>preflight report for pingu<\/h1>/)
    assert.match(page, /class="verdict exit-2">Exit code 2: extreme risk or a failed check/)
    assert.match(page, /<dt>System<\/dt><dd>CentOS release 6\.5 \(Final\) \(centos, rhel family\)<\/dd>/)
    assert.match(page, /<dt>Target<\/dt><dd>CentOS 7<\/dd>/)
    assert.match(page, /<dt>Took<\/dt><dd>1\.25 s \(facts 1\.10 s, checks 150 ms\)<\/dd>/)
    assert.match(page, /failed: \/etc\/passwd: EACCES: permission denied/)
    const offline = sampleAssessment()
    offline.host = { ...offline.host, live: false, root: '/mnt/el6', hostname: '/mnt/el6' }
    assert.match(html.render(offline), /<h1>preflight report for offline root \/mnt\/el6<\/h1>/)
  })

  test('has a filter per status with its count; notapplicable starts hidden as in the PA UI', () => {
    for (const status of statuses) {
      const box = new RegExp(
        `<input type="checkbox" data-status="${status}"( checked)?>.*?<span class="count">1</span>`,
      )
      const match = box.exec(page)
      assert.ok(match, status)
      assert.equal(match[1] === ' checked', status !== 'notapplicable', status)
    }
    assert.match(page, /<input type="search" id="search"/)
  })

  test('shows every result most severe first, opened when a person has to act', () => {
    const order = [...page.matchAll(/<article class="result status-(\w+)"/g)].map((m) => m[1])
    assert.deepEqual(order, [...statuses])
    assert.match(page, /data-status="needs_action" id="check-network\.ssh-use-dns">\n<details open>/)
    assert.match(page, /data-status="pass" id="check-security\.pam">\n<details>/)
    assert.match(
      page,
      /<span class="level level-high">HIGH<\/span><span>UseDNS yes makes logins slow when DNS is down <code class="where">\/etc\/ssh\/sshd_config:12<\/code>/,
    )
    assert.match(page, /<pre class="solution">Update to CentOS 6\.10 first:\n {2}yum update<\/pre>/)
    assert.match(page, /<code class="where">\/etc\/fstab:7<\/code> expected 6 fields, found 4/)
    assert.match(page, /Could not run: All users: \/etc\/passwd: EACCES: permission denied/)
  })

  test('names a known group by its title, and one of a newer preflight by its id', () => {
    const out = html.render(
      sampleAssessment([
        resultWith('pass', { id: 'network.a', group: 'network' }),
        resultWith('pass', { id: 'storage.b', group: 'storage' }),
        resultWith('pass', { id: 'x.c', group: 'constructor' }),
      ]),
    )
    const groups = [...out.matchAll(/<span class="group">([^<]*)<\/span>/g)].map((m) => m[1])
    assert.deepEqual(groups, ['Networking', 'storage', 'constructor'])
  })

  test('escapes everything that came from the host', () => {
    const assessment = sampleAssessment([
      resultWith('needs_action', {
        title: `<script>bad()</script>`,
        risks: [{ level: 'high', message: hostile, file: '"><svg onload=x>', line: 1 }],
        solution: '</pre><iframe>',
        messages: ['<b>bold</b>'],
      }),
    ])
    assessment.host.hostname = `<i>host</i>`
    assessment.host.os.name = `"'><x>`
    const out = html.render(assessment)
    assert.equal(out.match(/<script>/g)?.length, 1)
    for (const tag of ['<img', '<svg', '<iframe', '<b>', '<i>', '<x>']) assert.ok(!out.includes(tag), tag)
    assert.ok(out.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'))
    assert.ok(out.includes('&lt;script&gt;bad()&lt;/script&gt;'))
    assert.ok(out.includes('preflight report for &lt;i&gt;host&lt;/i&gt;'))
  })
})
