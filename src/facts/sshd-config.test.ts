import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openHost } from '../host/host.ts'
import { readSshdConfig, sshdConfig } from './sshd-config.ts'

async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true })
    await writeFile(path.join(root, file), content)
  }
}

async function collectIn(files: Record<string, string | Buffer>) {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-sshd-'))
  try {
    await writeTree(root, files)
    return await sshdConfig.collect({ host: openHost({ root }), progress: () => {} }, {})
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

const sshd53 = Buffer.from('\0OpenSSH_5.3p1\0', 'latin1')
const sshd92 = Buffer.from('\0OpenSSH_9.2p1\0', 'latin1')

describe('sshdConfig on offline roots', () => {
  test('no binary and no sshd_config: not installed', async () => {
    const fact = await collectIn({ 'etc/hostname': 'x\n' })
    assert.equal(fact.installed, false)
    assert.equal(fact.version, 'unknown')
    assert.equal(fact.useDns.effective, undefined)
  })

  test('the version comes from the binary; unset UseDNS takes its default', async () => {
    const old = await collectIn({ 'usr/sbin/sshd': sshd53, 'etc/ssh/sshd_config': '#UseDNS yes\n' })
    assert.deepEqual(old.version, { banner: 'OpenSSH_5.3p1', major: 5, minor: 3 })
    assert.deepEqual(old.useDns, { inMatch: [], upstreamDefault: true, effective: true })
    const current = await collectIn({ 'usr/sbin/sshd': sshd92, 'etc/ssh/sshd_config': '' })
    assert.equal(current.useDns.effective, false)
    const noBinary = await collectIn({ 'etc/ssh/sshd_config': 'UseDNS yes\n' })
    assert.equal(noBinary.installed, true)
    assert.equal(noBinary.version, 'unknown')
    assert.deepEqual(noBinary.useDns.explicit, { file: '/etc/ssh/sshd_config', line: 1, value: true })
  })

  test('relative Include paths are under /etc/ssh, globs read in lexical order, first value wins', async () => {
    const fact = await collectIn({
      'usr/sbin/sshd': sshd92,
      'etc/ssh/sshd_config': 'Include sshd_config.d/*.conf\nUseDNS no\n',
      'etc/ssh/sshd_config.d/2-late.conf': 'UseDNS no\n',
      'etc/ssh/sshd_config.d/10-early.conf': 'UseDNS yes\n',
    })
    assert.deepEqual(
      fact.files.map((f) => f.path),
      ['/etc/ssh/sshd_config', '/etc/ssh/sshd_config.d/10-early.conf', '/etc/ssh/sshd_config.d/2-late.conf'],
    )
    assert.deepEqual(fact.useDns.explicit, {
      file: '/etc/ssh/sshd_config.d/10-early.conf',
      line: 1,
      value: true,
    })
    assert.deepEqual(fact.warnings, [])
  })

  test('UseDNS inside a Match block (directly or through Include) is a warning, not the value', async () => {
    const fact = await collectIn({
      'usr/sbin/sshd': sshd92,
      'etc/ssh/sshd_config': 'Match User backup\n  UseDNS yes\n  Include /etc/ssh/inc.conf\n',
      'etc/ssh/inc.conf': 'UseDNS yes\n',
    })
    assert.equal(fact.useDns.explicit, undefined)
    assert.equal(fact.useDns.effective, false)
    assert.deepEqual(fact.firstMatch, { file: '/etc/ssh/sshd_config', line: 1 })
    assert.deepEqual(
      fact.useDns.inMatch.map((m) => `${m.file}:${m.line}`),
      ['/etc/ssh/sshd_config:2', '/etc/ssh/inc.conf:1'],
    )
    assert.deepEqual(
      fact.warnings.map((w) => `${w.file}:${w.line}`),
      ['/etc/ssh/sshd_config:2', '/etc/ssh/inc.conf:1'],
    )
    assert.match(
      fact.warnings[0]?.message ?? '',
      /not allowed inside the Match block of \/etc\/ssh\/sshd_config:1/,
    )
  })

  test('a Match in an included file ends with that file; Match all is global', async () => {
    const fact = await collectIn({
      'usr/sbin/sshd': sshd92,
      'etc/ssh/sshd_config': 'Include m.conf\nMatch all\nUseDNS yes\n',
      'etc/ssh/m.conf': 'Match Group sftp\n  ForceCommand internal-sftp\n',
    })
    assert.deepEqual(fact.useDns.explicit, { file: '/etc/ssh/sshd_config', line: 3, value: true })
    assert.deepEqual(fact.firstMatch, { file: '/etc/ssh/m.conf', line: 1 })
  })

  test('Include on OpenSSH before 8.2, nesting past 16 levels and bad values are warnings', async () => {
    const old = await collectIn({
      'usr/sbin/sshd': sshd53,
      'etc/ssh/sshd_config': 'Include /etc/ssh/x.conf\nUseDNS maybe\n',
    })
    assert.deepEqual(
      old.warnings.map((w) => [w.line, w.message]),
      [
        [1, 'Include needs OpenSSH 8.2 or later; OpenSSH_5.3p1 refuses to start on it'],
        [2, "UseDNS takes yes or no, not 'maybe' (sshd refuses to start)"],
      ],
    )
    const loop = await collectIn({ 'usr/sbin/sshd': sshd92, 'etc/ssh/sshd_config': 'Include sshd_config\n' })
    assert.equal(loop.files.length, 1)
    assert.deepEqual(
      loop.warnings.map((w) => w.message),
      ['Include nested more than 16 levels deep (sshd refuses to start)'],
    )
  })

  test('an Include matching a directory is a warning; an unreadable file fails the fact', async () => {
    const fact = await collectIn({
      'etc/ssh/sshd_config': 'Include /etc/ssh/d*\n',
      'etc/ssh/dir/x': '',
    })
    assert.deepEqual(
      fact.warnings.map((w) => w.message),
      ['Include matches /etc/ssh/dir, which is not a file (sshd refuses to start)'],
    )
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-sshd-'))
    try {
      await writeTree(root, { 'etc/ssh/sshd_config': 'Include /etc/ssh/loop.conf\n' })
      await symlink('loop.conf', path.join(root, 'etc/ssh/loop.conf'))
      await assert.rejects(readSshdConfig(openHost({ root })), /\/etc\/ssh\/loop.conf/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

/**
 * The oracle: this machine's sshd -T prints the UseDNS it would run with. Each configuration is
 * written to a temporary directory and read both by sshd and by the fact (through the live host,
 * with absolute Include paths so both see the same files).
 */
describe('sshdConfig against sshd -T', () => {
  let dir: string
  let hostKey: string
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'preflight-sshd-oracle-'))
    hostKey = path.join(dir, 'host_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
    // sshd -T insists on its privilege separation directory, which systemd creates at boot.
    await mkdir('/run/sshd', { recursive: true })
    await writeTree(dir, {
      'inc/10-yes.conf': 'UseDNS yes\n',
      'inc/2-no.conf': 'UseDNS no\n',
      'solo/no.conf': 'UseDNS no\n',
      'solo/yes.conf': 'UseDNS yes\n',
      'solo/match.conf': 'Match User backup\n  X11Forwarding no\n',
    })
  })
  after(() => rm(dir, { recursive: true, force: true }))

  function sshdT(config: string, connection?: string): { usedns?: string; error?: string } {
    const args = ['-T', '-f', config, '-h', hostKey, ...(connection ? ['-C', connection] : [])]
    const run = spawnSync('/usr/sbin/sshd', args, { encoding: 'utf8' })
    if (run.status !== 0) return { error: run.stderr }
    return { usedns: /^usedns (\w+)$/m.exec(run.stdout)?.[1] }
  }

  const accepted: [string, string][] = [
    ['unset', '#UseDNS yes\nPort 22\n'],
    ['empty', ''],
    ['plain', 'UseDNS yes\n'],
    ['lower case keyword, upper case value', 'usedns YES\n'],
    ['= without blanks', 'UseDNS=yes\n'],
    ['= with blanks', 'UseDNS = yes\n'],
    ['indented, = before the value', '   UseDNS =yes\n'],
    ['double quotes', 'UseDNS "yes"\n'],
    ['single quotes', "UseDNS 'yes'\n"],
    ['trailing comment', 'UseDNS yes # slow\n'],
    ['CRLF', 'UseDNS yes\r\nPort 22\r\n'],
    ['first of two wins', 'UseDNS yes\nUseDNS no\n'],
    ['first of two wins, other order', 'UseDNS no\nUseDNS yes\n'],
    ['glob in lexical order', 'Include __DIR__/inc/*.conf\n'],
    ['included before the main value', 'Include __DIR__/solo/no.conf\nUseDNS yes\n'],
    ['main value before the include', 'UseDNS yes\nInclude __DIR__/solo/no.conf\n'],
    ['missing include', 'Include __DIR__/solo/missing.conf\nUseDNS yes\n'],
    ['Match ends with its included file', 'Include __DIR__/solo/match.conf\nUseDNS yes\n'],
    ['Match all is global', 'Match all\nUseDNS yes\n'],
    ['Match all after a Match', 'Match User backup\n  X11Forwarding no\nMatch all\nUseDNS yes\n'],
    ['global value before a Match', 'UseDNS yes\nMatch Address 10.0.0.0/8\n  PasswordAuthentication no\n'],
  ]
  for (const [name, text] of accepted) {
    test(`same UseDNS as sshd -T: ${name}`, async () => {
      const config = path.join(dir, `${name.replace(/\W+/g, '-')}.conf`)
      await writeFile(config, text.replaceAll('__DIR__', dir))
      const fact = await readSshdConfig(openHost(), config)
      const expected = sshdT(config)
      assert.equal(expected.error, undefined)
      assert.equal(fact.useDns.effective ? 'yes' : 'no', expected.usedns)
      assert.equal(sshdT(config, 'user=backup,host=client.example,addr=10.1.2.3').usedns, expected.usedns)
      assert.deepEqual(fact.warnings, [])
    })
  }

  const rejected: [string, string][] = [
    ['UseDNS in a Match block', 'Port 22\nMatch User backup\n  UseDNS yes\n'],
    ['UseDNS through an Include in a Match block', 'Match User backup\n  Include __DIR__/solo/yes.conf\n'],
    ['a value that is not yes or no', 'UseDNS maybe\n'],
    ['no value', 'Port 22\nUseDNS\n'],
    ['unterminated quote', 'UseDNS "yes\n'],
    ['extra arguments', 'UseDNS yes no\n'],
  ]
  for (const [name, text] of rejected) {
    test(`sshd -T refuses and the fact warns at the same file and line: ${name}`, async () => {
      const config = path.join(dir, `${name.replace(/\W+/g, '-')}.conf`)
      await writeFile(config, text.replaceAll('__DIR__', dir))
      const fact = await readSshdConfig(openHost(), config)
      const error = sshdT(config).error ?? ''
      const [, file, line] = /(\S+) line (\d+)/.exec(error) ?? []
      assert.ok(file, `sshd -T accepted it: ${error}`)
      assert.ok(
        fact.warnings.some((w) => w.file === file && w.line === Number(line)),
        `${error} vs ${JSON.stringify(fact.warnings)}`,
      )
    })
  }
})
