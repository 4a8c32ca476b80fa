import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { withTempRoot } from '../../../test/helpers/temp-root.ts'
import { openHost } from '../../host/host.ts'
import { HostPathResolver } from './host-path-resolver.ts'

test('resolves links inside an offline root, absolute ones against the root, and never escapes it', async () => {
  await withTempRoot({ 'usr/bin/bash': '', 'etc/rc.d/init.d/network': '' }, async (root) => {
    symlinkSync('usr/bin', path.join(root, 'bin'))
    symlinkSync('rc.d/init.d', path.join(root, 'etc/init.d'))
    symlinkSync('/etc/rc.d', path.join(root, 'etc/rc'))
    symlinkSync('../../../../../..', path.join(root, 'etc/up'))
    mkdirSync(path.join(root, 'loop'))
    symlinkSync('b', path.join(root, 'loop/a'))
    symlinkSync('a', path.join(root, 'loop/b'))
    const resolver = new HostPathResolver(openHost({ root }))
    assert.equal(await resolver.resolve('/bin/bash'), '/usr/bin/bash')
    assert.equal(await resolver.resolve('/etc/init.d/network'), '/etc/rc.d/init.d/network')
    assert.equal(await resolver.resolve('/etc/rc/init.d'), '/etc/rc.d/init.d')
    assert.equal(await resolver.resolve('/etc/up/usr/bin'), '/usr/bin')
    assert.equal(await resolver.resolve('/not/there'), '/not/there')
    assert.match(await resolver.resolve('/loop/a'), /^\/loop\/[ab]$/)
  })
})
