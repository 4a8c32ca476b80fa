import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { openHost } from '../../host/host.ts'
import { systemdUnitFiles } from './systemd-unit-files.ts'

/** `systemctl list-unit-files` as name → state; works offline with --root. */
function systemctlStates(root: string): Map<string, string> {
  const out = execFileSync('systemctl', [`--root=${root}`, 'list-unit-files', '--no-legend', '--no-pager'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  return new Map(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .map(([name = '', state = '']) => [name, state]),
  )
}

const vendor = 'usr/lib/systemd/system'
const config = 'etc/systemd/system'
const wantedByMultiUser =
  '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n'

/** Unit files (path → content) and links (path → target) of a root with every enablement state. */
const files: Record<string, string> = {
  [`${vendor}/multi-user.target`]: '[Unit]\nDescription=Multi-User\n',
  [`${vendor}/graphical.target`]: '[Unit]\nDescription=Graphical\n',
  [`${vendor}/sshd.service`]: `${wantedByMultiUser}Alias=ssh.service\n`,
  [`${vendor}/crond.service`]: wantedByMultiUser,
  [`${vendor}/static.service`]: '[Service]\nExecStart=/bin/true\n',
  [`${vendor}/masked.service`]: wantedByMultiUser,
  [`${vendor}/empty.service`]: '',
  [`${vendor}/getty@.service`]: '[Install]\nWantedBy=multi-user.target\nDefaultInstance=tty1\n',
  [`${vendor}/worker@.service`]: wantedByMultiUser,
  [`${vendor}/vendor-instance@.service`]: '[Service]\nExecStart=/bin/true\n',
  [`${vendor}/also.service`]: '[Install]\nAlso=crond.service\n',
  [`${vendor}/dropin.service`]: '[Service]\nExecStart=/bin/true\n',
  [`${config}/dropin.service.d/install.conf`]: '[Install]\nWantedBy=multi-user.target\n',
  [`${vendor}/runtime.service`]: wantedByMultiUser,
  [`${vendor}/required.service`]: '[Install]\nRequiredBy=graphical.target\n',
  [`${vendor}/continued.service`]:
    '[Install]\nWantedBy=graphical.target \\\n# a comment inside\n  multi-user.target\n',
  [`${vendor}/specifier.service`]: '[Install]\nAlias=%N-alias.service\n',
  [`${vendor}/vendor-wanted.service`]: wantedByMultiUser,
  [`${vendor}/reset.service`]: '[Install]\nWantedBy=multi-user.target\nWantedBy=\n',
  [`${vendor}/foo.mount`]: '[Mount]\nWhat=/dev/sda1\nWhere=/foo\n[Install]\nWantedBy=multi-user.target\n',
  [`${vendor}/only-alias.mount`]: '[Mount]\nWhat=tmpfs\nWhere=/only\n[Install]\nAlias=other.mount\n',
  'opt/linked.service': wantedByMultiUser,
  'run/systemd/generator/generated.service': '[Service]\nExecStart=/bin/true\n',
  'run/systemd/transient/transient.service': '[Service]\nExecStart=/bin/true\n',
}

const links: Record<string, string> = {
  lib: 'usr/lib',
  [`${config}/multi-user.target.wants/sshd.service`]: `/${vendor}/sshd.service`,
  [`${config}/ssh.service`]: `/${vendor}/sshd.service`,
  [`${config}/other-name.service`]: `/lib/systemd/system/crond.service`,
  [`${config}/masked.service`]: '/dev/null',
  [`${config}/multi-user.target.wants/getty@tty1.service`]: `/${vendor}/getty@.service`,
  [`${config}/multi-user.target.wants/worker@1.service`]: `/${vendor}/worker@.service`,
  [`${config}/worker@2.service`]: `/${vendor}/worker@.service`,
  [`${vendor}/multi-user.target.wants/vendor-instance@a.service`]: '../vendor-instance@.service',
  [`${vendor}/multi-user.target.wants/vendor-wanted.service`]: '../vendor-wanted.service',
  'run/systemd/system/multi-user.target.wants/runtime.service': `/${vendor}/runtime.service`,
  'run/systemd/system/masked-runtime.service': '/dev/null',
  [`${config}/graphical.target.requires/required.service`]: `/${vendor}/required.service`,
  [`${config}/multi-user.target.wants/continued.service`]: `/${vendor}/continued.service`,
  [`${config}/specifier-alias.service`]: `/${vendor}/specifier.service`,
  [`${config}/linked.service`]: '/opt/linked.service',
  [`${config}/self.service`]: `/${vendor}/self.service`,
  [`${config}/dangling.service`]: `/${vendor}/nowhere.service`,
  [`${config}/bar.mount`]: `/${vendor}/foo.mount`,
  [`${config}/chain.service`]: `/${config}/ssh.service`,
  [`${config}/default.target`]: `/${vendor}/graphical.target`,
  [`${config}/multi-user.target.wants/reset.service`]: `/${vendor}/reset.service`,
}

let root = ''

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'preflight-units-'))
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true })
    await writeFile(path.join(root, file), content)
  }
  for (const [link, target] of Object.entries(links)) {
    await mkdir(path.dirname(path.join(root, link)), { recursive: true })
    await symlink(target, path.join(root, link))
  }
})

after(async () => {
  await rm(root, { recursive: true, force: true })
})

test('every unit state in a crafted root equals systemctl --root list-unit-files', async () => {
  const units = await systemdUnitFiles(openHost({ root }), [])
  assert.ok(units)
  const ours = new Map(units.units.map((unit) => [unit.name, unit.state]))
  const theirs = systemctlStates(root)
  assert.deepEqual(ours, theirs)
  // The fixture is meant to cover every state an offline root can have; keep it that way.
  assert.deepEqual([...new Set(theirs.values())].sort(), [
    'alias',
    'bad',
    'disabled',
    'enabled',
    'enabled-runtime',
    'generated',
    'indirect',
    'linked',
    'masked',
    'masked-runtime',
    'static',
    'transient',
  ])
})

test('aliases name their unit, bad units say why, the default target follows its link', async () => {
  const units = await systemdUnitFiles(openHost({ root }), [])
  assert.ok(units)
  const byName = new Map(units.units.map((unit) => [unit.name, unit]))
  assert.equal(byName.get('ssh.service')?.aliasOf, 'sshd.service')
  assert.equal(byName.get('chain.service')?.aliasOf, 'sshd.service')
  assert.match(byName.get('self.service')?.problem ?? '', /self-alias/)
  assert.match(byName.get('dangling.service')?.problem ?? '', /nowhere\.service/)
  assert.equal(byName.get('ssh.service')?.path, '/etc/systemd/system/ssh.service')
  assert.equal(units.defaultTarget, 'graphical.target')
  assert.equal(
    units.defaultTarget,
    execFileSync('systemctl', [`--root=${root}`, 'get-default'], { encoding: 'utf8' }).trim(),
  )
})

test('the unit list is in systemctl order', async () => {
  const units = await systemdUnitFiles(openHost({ root }), [])
  assert.deepEqual(
    units?.units.map((unit) => unit.name),
    [...systemctlStates(root).keys()],
  )
})

test('a root without unit directories has no systemd fact', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'preflight-units-empty-'))
  try {
    assert.equal(await systemdUnitFiles(openHost({ root: empty }), []), undefined)
  } finally {
    await rm(empty, { recursive: true, force: true })
  }
})

test('the live system: every .service state equals systemctl list-unit-files', async () => {
  const units = await systemdUnitFiles(openHost(), [])
  assert.ok(units, 'this machine has systemd unit directories')
  const services = (states: Map<string, string>) =>
    new Map([...states].filter(([name]) => name.endsWith('.service')))
  assert.deepEqual(
    services(new Map(units.units.map((unit) => [unit.name, unit.state]))),
    services(systemctlStates('/')),
  )
})
