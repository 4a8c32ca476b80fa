import assert from 'node:assert/strict'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openHost } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import { services } from '../services.ts'
import { formatChkconfigList } from './format-chkconfig-list.ts'
import { parseInitScriptHeader, parseInittab, parseXinetdService, sysvServices } from './sysv-services.ts'

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url))
const el6Root = path.join(fixtures, 'roots/el6-services')

async function el6Services() {
  const warnings: ParseWarning[] = []
  const sysv = await sysvServices(openHost({ root: el6Root }), warnings)
  assert.ok(sysv)
  return { sysv, warnings }
}

test('the EL6 root renders exactly the chkconfig --list of an EL6 host', async () => {
  const { sysv } = await el6Services()
  assert.equal(
    formatChkconfigList(sysv),
    await readFile(path.join(fixtures, 'expected/el6-services.chkconfig-list'), 'utf8'),
  )
})

test('EL6 services: headers, runlevels, scripts chkconfig ignores, default runlevel', async () => {
  const { sysv, warnings } = await el6Services()
  const byName = new Map(sysv.services.map((service) => [service.name, service]))
  assert.equal(sysv.rcBase, '/etc/rc.d')
  assert.equal(sysv.defaultRunlevel, 3)
  assert.deepEqual(byName.get('sshd'), {
    name: 'sshd',
    script: '/etc/rc.d/init.d/sshd',
    // The chkconfig line and description come first, so chkconfig never reads the LSB block.
    header: { defaultStart: [2, 3, 4, 5], startPriority: 55, stopPriority: 25, lsb: false },
    runlevels: [false, false, true, true, true, true, false],
    configured: true,
  })
  assert.deepEqual(byName.get('appserver')?.header, { defaultStart: [3, 5], lsb: true })
  assert.deepEqual(byName.get('crond')?.header?.defaultStart, [2, 3, 4, 5])
  assert.equal(byName.get('myapp')?.configured, false, 'has a header but was never added')
  assert.equal(byName.get('halt')?.header, undefined, 'linked from rc0.d/rc6.d but has no header')
  assert.equal(byName.get('halt')?.configured, true)
  assert.equal(byName.has('sshd.rpmnew'), false)
  assert.equal(byName.get('legacy-app')?.header, undefined)
  assert.deepEqual(warnings, [
    {
      file: '/etc/rc.d/init.d/legacy-app',
      line: 5,
      message: "malformed '# chkconfig: <levels> <start> <stop>' line; chkconfig ignores this script",
    },
  ])
  assert.deepEqual(
    sysv.xinetd?.map((service) => [service.name, service.enabled]),
    [
      ['chargen-dgram', false],
      ['chargen-stream', false],
      ['rsync', false],
      ['tftp', true],
    ],
  )
})

test('the services fact on the EL6 root has SysV only, its chkconfig --list log, and the parse warnings', async () => {
  const value = await services.collect({ host: openHost({ root: el6Root }), progress: () => {} }, {})
  assert.equal(value.systemd, undefined)
  assert.equal(value.sysv?.services.length, 15)
  assert.equal(
    value.chkconfigList,
    await readFile(path.join(fixtures, 'expected/el6-services.chkconfig-list'), 'utf8'),
  )
  assert.deepEqual(
    value.warnings.map((warning) => `${warning.file}:${warning.line}`),
    ['/etc/rc.d/init.d/legacy-app:5'],
  )
})

test('without xinetd on in any runlevel chkconfig prints no xinetd section', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-el6-'))
  try {
    await cp(el6Root, root, { recursive: true, verbatimSymlinks: true })
    for (const level of [3, 4, 5]) {
      await unlink(path.join(root, `etc/rc.d/rc${level}.d/S56xinetd`))
      await symlink('../init.d/xinetd', path.join(root, `etc/rc.d/rc${level}.d/K50xinetd`))
    }
    const sysv = await sysvServices(openHost({ root }), [])
    assert.ok(sysv)
    const text = formatChkconfigList(sysv)
    assert.doesNotMatch(text, /xinetd based services/)
    assert.match(text, /^xinetd {9}\t0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\n$/m)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a Debian-style root keeps init.d and rcN.d directly under /etc', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-debian-'))
  try {
    await mkdir(path.join(root, 'etc/init.d'), { recursive: true })
    await writeFile(
      path.join(root, 'etc/init.d/ssh'),
      '#! /bin/sh\n### BEGIN INIT INFO\n# Provides: sshd\n# Default-Start: 2 3 4 5\n# Default-Stop:\n# Short-Description: OpenBSD Secure Shell server\n### END INIT INFO\n',
    )
    for (const level of [2, 3, 4, 5]) {
      await mkdir(path.join(root, `etc/rc${level}.d`))
      await symlink('../init.d/ssh', path.join(root, `etc/rc${level}.d/S01ssh`))
    }
    const sysv = await sysvServices(openHost({ root }), [])
    assert.equal(sysv?.rcBase, '/etc')
    assert.equal(sysv?.xinetd, undefined)
    assert.equal(sysv?.defaultRunlevel, undefined)
    assert.equal(
      formatChkconfigList(sysv as NonNullable<typeof sysv>),
      'ssh            \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n',
    )
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('init script headers: LSB levels, Default-Stop, and chkconfig lines chkconfig rejects', () => {
  const lsb = parseInitScriptHeader(
    '#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start: 2 3 4 5\n# Default-Stop: 0 1 3 6\n### END INIT INFO\n',
    '/etc/init.d/a',
  )
  assert.deepEqual(lsb, { header: { defaultStart: [2, 4, 5], lsb: true } })
  assert.deepEqual(parseInitScriptHeader('# chkconfig: - 50 50\n# description: x\n', 'b').header, {
    defaultStart: [],
    startPriority: 50,
    stopPriority: 50,
    lsb: false,
  })
  assert.deepEqual(parseInitScriptHeader('#!/bin/sh\necho no header\n', 'c'), {})
  assert.deepEqual(parseInitScriptHeader('### BEGIN INIT INFO\n# Provides: x\n### END INIT INFO\n', 'd'), {})
  for (const bad of ['# chkconfig: 2x45 10 90', '# chkconfig: 345 100 10', '# chkconfig: 345 10 90x']) {
    assert.equal(parseInitScriptHeader(`#!/bin/sh\n${bad}\n`, 'e').warning?.line, 2, bad)
  }
})

test('xinetd services: only disable = yes turns them off', () => {
  assert.deepEqual(parseXinetdService('service x\n{\n\tport = 1\n}\n', 'x'), { enabled: true, warnings: [] })
  assert.equal(parseXinetdService('service x\n{\n\tdisable = no\n}\n', 'x').enabled, true)
  assert.equal(parseXinetdService('# disable = yes\nservice x\n{\n}\n', 'x').enabled, true)
  assert.equal(parseXinetdService('service x\n{\n\tdisable\t\t= yes\n}\n', 'x').enabled, false)
  assert.deepEqual(parseXinetdService('service x\n{\n\tdisable yes\n}\n', '/etc/xinetd.d/x'), {
    enabled: false,
    warnings: [
      { file: '/etc/xinetd.d/x', line: 3, message: "'disable' without '='; chkconfig reads it as off" },
    ],
  })
})

test('inittab: the initdefault entry, malformed lines as warnings', () => {
  assert.deepEqual(parseInittab('# comment\nid:5:initdefault:\nsi::sysinit:/etc/rc.d/rc.sysinit\n'), {
    defaultRunlevel: 5,
    warnings: [],
  })
  assert.deepEqual(parseInittab('id:3:initdefault\nx:9:initdefault:\n').warnings, [
    {
      file: '/etc/inittab',
      line: 1,
      message: "expected id:runlevels:action:process, found 'id:3:initdefault'",
    },
    { file: '/etc/inittab', line: 2, message: "initdefault runlevel '9' is not one of 0-6" },
  ])
})
