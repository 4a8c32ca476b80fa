/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): filters work,
 * host text stays text, and opening the file makes no request.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { resultWith, sampleAssessment, sampleResults } from '../../test/helpers/sample-assessment.ts'
import { html } from './html.ts'

const hostileMessage = '<img src=x onerror="window.__pwned = 1">'
const hostileTitle = '<script>window.__pwned = 2</script>Evil title'

describe('HTML report in Chromium', () => {
  let dir: string
  let browser: BrowserContext
  let page: Page
  const requests: string[] = []
  const pageErrors: string[] = []

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'preflight-html-'))
    const assessment = sampleAssessment([
      ...sampleResults,
      resultWith('needs_action', {
        id: 'network.hostile',
        title: hostileTitle,
        risks: [
          { level: 'high', message: hostileMessage, file: '/etc/"><svg onload=window.__pwned=3>', line: 4 },
        ],
      }),
    ])
    assessment.host.hostname = '<b onmouseover=window.__pwned=4>pingu</b>'
    const file = path.join(dir, 'report.html')
    await writeFile(file, html.render(assessment))
    // A fresh profile per run: nothing from an earlier browser session can make a request.
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
    })
    page = browser.pages()[0] ?? (await browser.newPage())
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url())
    })
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`file://${file}`)
    await page.waitForLoadState('load')
  })

  after(async () => {
    await browser?.close()
    await rm(dir, { recursive: true, force: true })
  })

  const visibleStatuses = () =>
    page.$$eval('article.result:not([hidden])', (articles) =>
      articles.map((article) => (article as unknown as { dataset: { status?: string } }).dataset.status),
    )

  test('starts with everything but notapplicable shown, and the status filters hide and show rows', async () => {
    assert.deepEqual(await visibleStatuses(), [
      'error',
      'fail',
      'needs_action',
      'needs_action',
      'needs_inspection',
      'fixed',
      'informational',
      'pass',
    ])
    assert.equal(await page.textContent('#shown'), '8 of 9 shown')

    await page.click('input[data-status="needs_action"]')
    assert.ok(!(await visibleStatuses()).includes('needs_action'))
    assert.equal(await page.textContent('#shown'), '6 of 9 shown')

    await page.click('input[data-status="notapplicable"]')
    assert.ok((await visibleStatuses()).includes('notapplicable'))

    await page.click('input[data-status="needs_action"]')
    assert.equal(await page.textContent('#shown'), '9 of 9 shown')
  })

  test('the search box narrows to results whose text matches', async () => {
    await page.fill('#search', 'sshd_config:12')
    assert.deepEqual(await visibleStatuses(), ['needs_action'])
    await page.fill('#search', 'nothing matches this')
    assert.deepEqual(await visibleStatuses(), [])
    assert.equal(await page.isVisible('#none'), true)
    await page.fill('#search', '')
    assert.equal((await visibleStatuses()).length, 9)
  })

  test('hostile host strings are shown as text and run nothing', async () => {
    const hostile = page.locator('#check-network\\.hostile')
    assert.equal(await hostile.locator('.title').textContent(), hostileTitle)
    assert.ok((await hostile.locator('.risks').textContent())?.includes(hostileMessage))
    assert.equal(
      await page.locator('h1').textContent(),
      'preflight report for <b onmouseover=window.__pwned=4>pingu</b>',
    )
    assert.equal(await page.locator('img, svg, b, iframe').count(), 0)
    await page.hover('h1')
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined)
    assert.deepEqual(pageErrors, [])
  })

  test('makes no network request', async () => {
    await page.reload()
    await page.waitForLoadState('networkidle')
    assert.deepEqual(requests, [])
  })

  test('renders readably (screenshot for a person to look at)', async () => {
    const shot = path.join(tmpdir(), 'preflight-report-screenshot.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok((await page.locator('article.result').first().boundingBox())?.height)
  })
})
