import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import pino from 'pino'
import { type BirdLab, labAddresses, startBirdLab } from '../../../test/helpers/bird-lab.ts'
import { systemClock } from '../clock.ts'
import type { BirdSettings } from '../config/anycast-config.ts'
import { parsePrefix } from '../ip-prefix.ts'
import { BirdBackend } from './bird-backend.ts'
import type { RouteIntent } from './routing-backend.ts'

const prefixes = labAddresses.anycast.map(parsePrefix)
const intent = (announce: boolean, birdProtocol?: string): RouteIntent[] => [
  { service: 'dns', prefixes, announce, birdProtocol },
]

describe('BIRD backend against a real BIRD 2 (two namespaces, BGP)', () => {
  let lab: BirdLab
  let settings: BirdSettings
  const logger = pino({ level: 'silent' })

  before(async () => {
    lab = await startBirdLab('bb')
    for (const prefix of labAddresses.anycast) {
      await lab.exec(
        lab.site,
        'ip',
        'addr',
        'add',
        prefix,
        'dev',
        'lo',
        ...(prefix.includes(':') ? ['nodad'] : []),
      )
    }
    settings = {
      socket: lab.siteSocket,
      includeFile: lab.includeFile,
      functionName: 'preflight_anycast_export',
      confirmProtocols: ['uplink'],
      timeout: 5000,
      coalesce: 0,
      confirmTimeout: 5000,
    }
  })
  after(async () => {
    await lab?.stop()
  })

  const backend = () => new BirdBackend({ settings, source: 'test', clock: systemClock, logger })

  test('announce and withdraw reach the BGP peer; the withdraw is confirmed in the export view', async () => {
    const bird = backend()
    const announced = await bird.apply(intent(true))
    assert.equal(announced.ok, true, announced.message)
    assert.equal(announced.message, 'Reconfigured')
    assert.deepEqual(
      [...announced.announced].sort(),
      labAddresses.anycast.map((p) => parsePrefix(p).text).sort(),
    )
    for (const prefix of ['192.0.2.1/32', '2001:db8:53::3/128'])
      assert.ok(await lab.waitForRoute(prefix, true), prefix)

    // The same state again: no rewrite, no reconfiguration.
    const again = await bird.apply(intent(true))
    assert.equal(again.message, 'unchanged')
    assert.equal(again.changed, false)

    const withdrawn = await bird.apply(intent(false))
    assert.equal(withdrawn.ok, true, withdrawn.message)
    assert.equal(withdrawn.mayBeAnnounced.size, 0)
    for (const prefix of ['192.0.2.1/32', '2001:db8:53::3/128'])
      assert.ok(await lab.waitForRoute(prefix, false), prefix)
    // The maintenance IP and the BGP session are untouched.
    assert.equal(await lab.routerHas(labAddresses.maintenance), true)
    assert.match(await lab.birdc(lab.routerSocket, 'show', 'protocols', 'site'), /Established/)
  })

  test('a configuration BIRD rejects is reported with its file:line and nothing is assumed withdrawn', async () => {
    const bird = backend()
    assert.equal((await bird.apply(intent(true))).ok, true)
    assert.ok(await lab.waitForRoute('192.0.2.1/32', true))
    const original = await readFile(lab.siteConfig, 'utf8')
    await appendFile(lab.siteConfig, 'protocol bogus {\n')
    try {
      const result = await bird.apply(intent(false))
      assert.equal(result.ok, false)
      assert.match(result.message, /BIRD rejected the configuration: .*site-bird\.conf:\d+:\d+ /)
      // BIRD kept its previous configuration, so the prefixes may still be announced: they are.
      assert.equal(result.mayBeAnnounced.has('192.0.2.1/32'), true)
      assert.equal(await lab.routerHas('192.0.2.1/32'), true)
      // The include already says "withdrawn": a BIRD restart would not announce a failing service.
      assert.match(await readFile(lab.includeFile, 'utf8'), /# withdrawn: dns/)
    } finally {
      await writeFile(lab.siteConfig, original)
    }
    const retried = await bird.apply(intent(false))
    assert.equal(retried.ok, true, retried.message)
    assert.ok(await lab.waitForRoute('192.0.2.1/32', false))
  })

  test('the fast path (disable PROTO) withdraws even while BIRD rejects the configuration', async () => {
    const bird = backend()
    assert.equal((await bird.apply(intent(true, 'anycast_dns'))).ok, true)
    assert.ok(await lab.waitForRoute('192.0.2.1/32', true))
    const original = await readFile(lab.siteConfig, 'utf8')
    await appendFile(lab.siteConfig, 'protocol bogus {\n')
    try {
      const result = await bird.apply(intent(false, 'anycast_dns'))
      assert.equal(result.ok, false)
      assert.equal(result.mayBeAnnounced.size, 0)
      assert.ok(await lab.waitForRoute('192.0.2.1/32', false))
      assert.match(await lab.birdc(lab.siteSocket, 'show', 'protocols', 'anycast_dns'), /down/)
    } finally {
      await writeFile(lab.siteConfig, original)
    }
    // Announcing again re-enables the protocol after the reconfiguration.
    const back = await bird.apply(intent(true, 'anycast_dns'))
    assert.equal(back.ok, true, back.message)
    assert.ok(await lab.waitForRoute('192.0.2.1/32', true))
    assert.match(await lab.birdc(lab.siteSocket, 'show', 'protocols', 'anycast_dns'), /up/)
    assert.equal((await bird.apply(intent(false, 'anycast_dns'))).ok, true)
  })

  test('a missing control socket fails the apply and keeps every prefix as possibly announced', async () => {
    const bird = new BirdBackend({
      settings: { ...settings, socket: `${lab.directory}/missing.ctl` },
      source: 'test',
      clock: systemClock,
      logger,
    })
    const result = await bird.apply(intent(false))
    assert.equal(result.ok, false)
    assert.match(result.message, /no such socket/)
    assert.equal(result.mayBeAnnounced.size, prefixes.length)
  })
})
