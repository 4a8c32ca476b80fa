import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { openHost } from '../host/host.ts'
import type { User } from './accounts.ts'
import { irssiProxy } from './kvirc-servers/irssi-proxy.ts'
import { irssiEntries, parseIrssiConfig } from './kvirc-servers/parse-irssi-config.ts'
import { decodeKvircText, parseKvircConfig, renderKvircConfig } from './kvirc-servers/parse-kvirc-config.ts'
import { kvircServers } from './kvirc-servers.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')
const blogServerDb = path.join(roots, 'kvirc-proxy-starttls/home/damian/.config/KVIrc/config/serverdb.kvc')

function user(name: string, home: string): User {
  return { name, uid: 1000, gid: 1000, gecos: '', home, shell: '/bin/bash' }
}

async function collectIn(files: Record<string, string>, accounts: User[]) {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-kvirc-'))
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true })
      await writeFile(path.join(root, file), content)
    }
    return await kvircServers.collect(
      { host: openHost({ root }), progress: () => {} },
      { users: { users: accounts, warnings: [] } },
    )
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

describe('serverdb.kvc', () => {
  test('renders every input back byte for byte', async () => {
    const inputs = [
      '',
      '[A]\n0_EnabledSTARTTLS=false',
      '# KVIrc configuration file\r\n[Net%20Work]\r\nNServers=1\r\n',
      '  [x]  \n junk\n=novalue\nkey = spaced value \t\n',
      await readFile(blogServerDb, 'utf8'),
    ]
    for (const text of inputs) assert.equal(renderKvircConfig(parseKvircConfig(text, '/f')), text)
  })

  test('%XX decodes as bytes of UTF-8; a stray % stays', () => {
    assert.equal(decodeKvircText('My%20Net%23%3D'), 'My Net#=')
    assert.equal(decodeKvircText('caf%C3%A9 100%'), 'café 100%')
    assert.equal(decodeKvircText('%zz%4'), '%zz%4')
  })

  test('groups and keys are case-insensitive; the last assignment wins; names run to the last "]"', () => {
    const file = parseKvircConfig('[Net]\n0_Port=1\n[net]\n0_port=2\n[Odd]Name]\nk=v\n', '/f')
    assert.deepEqual(
      file.sections.map((s) => s.name),
      ['Net', 'Odd]Name'],
    )
    assert.deepEqual(file.sections[0]?.entries['0_port'], { key: '0_port', value: '2', line: 4 })
  })

  test('malformed lines are warnings with file and line', () => {
    const file = parseKvircConfig('orphan=1\n[]\n[A]\njust words\n=x\n', '/home/u/serverdb.kvc')
    assert.deepEqual(file.warnings, [
      { file: '/home/u/serverdb.kvc', line: 1, message: "'orphan' comes before any [group]" },
      { file: '/home/u/serverdb.kvc', line: 2, message: 'empty group name (KVIrc ignores this line)' },
      {
        file: '/home/u/serverdb.kvc',
        line: 4,
        message: "not a '[group]' or 'key=value' line (KVIrc ignores it)",
      },
      {
        file: '/home/u/serverdb.kvc',
        line: 5,
        message: "not a '[group]' or 'key=value' line (KVIrc ignores it)",
      },
    ])
  })
})

describe('irssi config', () => {
  test('nested blocks and lists, both quote styles, comments, with line numbers', () => {
    const { root, warnings } = parseIrssiConfig(
      [
        '# irssi config',
        'servers = ( { address = "irc.example.net"; port = 6667; }, { address = \'b\'; } );',
        'settings = {',
        '  "fe-common/core" = { theme = "default"; };',
        '  proxy = {',
        '    irssiproxy_ports = "a=1 b=2"; # two networks',
        '    irssiproxy_password = "p\\"w";',
        '  };',
        '};',
      ].join('\n'),
      '/f',
    )
    assert.deepEqual(warnings, [])
    const servers = irssiEntries(root, 'SERVERS')[0]
    assert.equal(servers?.value.kind, 'list')
    const settings = irssiEntries(root, 'settings')[0]?.value
    const proxy = irssiEntries(settings, 'proxy')[0]?.value
    assert.deepEqual(irssiEntries(proxy, 'irssiproxy_ports')[0], {
      key: 'irssiproxy_ports',
      value: { kind: 'string', value: 'a=1 b=2', line: 6 },
      line: 6,
    })
    assert.deepEqual(irssiEntries(proxy, 'irssiproxy_password')[0]?.value, {
      kind: 'string',
      value: 'p"w',
      line: 7,
    })
  })

  test('broken syntax becomes warnings and parsing goes on', () => {
    const { root, warnings } = parseIrssiConfig('a = { b "x"; }\n} c = "y";\nd = { e = "z";\n', '/f')
    assert.equal(irssiEntries(root, 'c')[0]?.value.kind, 'string')
    assert.deepEqual(warnings, [
      { file: '/f', line: 1, message: "missing '=' after 'b'" },
      { file: '/f', line: 2, message: "unexpected '}' where a key was expected" },
      { file: '/f', line: 3, message: "'{' opened here is never closed" },
    ])
  })

  test('the proxy: listeners, bind, on/off switch and the startup line that loads it', () => {
    const { proxy, warnings } = irssiProxy({
      user: 'u',
      configFile: '/home/u/.irssi/config',
      configText:
        'settings = {\n  proxy = {\n    irssiproxy_ports = "IRCnet=2777 efnet=2778 ?=2779 broken x=/run/u/irc.sock";\n    irssiproxy_bind = "127.0.0.1";\n    irssiproxy = "no";\n  };\n};\n',
      startupFile: '/home/u/.irssi/startup',
      startupText: 'set foo bar\n/LOAD proxy\n',
    })
    assert.deepEqual(proxy, {
      user: 'u',
      file: '/home/u/.irssi/config',
      listeners: [
        { network: 'IRCnet', port: 2777 },
        { network: 'efnet', port: 2778 },
        { network: '?', port: 2779 },
        { network: 'x', socketPath: '/run/u/irc.sock' },
      ],
      line: 3,
      bind: { address: '127.0.0.1', line: 4 },
      enabled: false,
      loadedBy: { file: '/home/u/.irssi/startup', line: 2 },
    })
    assert.deepEqual(warnings, [
      {
        file: '/home/u/.irssi/config',
        line: 3,
        message: "irssiproxy_ports: 'broken' is not network=port (irssi skips it)",
      },
    ])
  })
})

describe('kvircServers fact', () => {
  test("the blog's server list: one network, STARTTLS on at line 10, with the irssi proxy of the same home", async () => {
    const fact = await kvircServers.collect(
      { host: openHost({ root: path.join(roots, 'kvirc-proxy-starttls') }), progress: () => {} },
      { users: { users: [user('root', '/root'), user('damian', '/home/damian')], warnings: [] } },
    )
    assert.deepEqual(fact.warnings, [])
    assert.equal(fact.serverLists.length, 1)
    assert.equal(fact.serverLists[0]?.path, '/home/damian/.config/KVIrc/config/serverdb.kvc')
    assert.deepEqual(fact.serverLists[0]?.networks, [
      {
        name: 'FreeNode',
        line: 1,
        password: '',
        servers: [
          {
            index: 0,
            hostname: 'myirssiproxy.local',
            ip: '10.44.1.1',
            port: 8000,
            password: 'Mypass',
            ssl: false,
            startTls: true,
            startTlsLine: 10,
            line: 3,
          },
        ],
      },
    ])
    assert.deepEqual(
      fact.irssiProxies.map((p) => [p.user, p.listeners, p.loadedBy?.line]),
      [['damian', [{ network: 'FreeNode', port: 8000 }], 1]],
    )
  })

  // KviIrcServer::load reads EnabledSTARTTLS with default true and save() writes it only when
  // false: a list from KVIrc 3.x, which has no such key, gets STARTTLS on every server in 4.2.
  test('a server without N_EnabledSTARTTLS has STARTTLS on; only "true" is true', async () => {
    const fact = await collectIn(
      {
        'home/u/.config/KVIrc/config/serverdb.kvc':
          '[Net]\nNServers=4\n0_Hostname=a.example\n1_Hostname=b.example\n1_EnabledSTARTTLS=FALSE\n2_Hostname=c.example\n2_EnabledSTARTTLS=yes\n3_Ip=192.0.2.7\n3_Port=7000\n3_SSL=True\n',
      },
      [user('u', '/home/u')],
    )
    const servers = fact.serverLists[0]?.networks[0]?.servers ?? []
    assert.deepEqual(
      servers.map((s) => [s.hostname || s.ip, s.startTls, s.ssl, s.port]),
      [
        ['a.example', true, false, 6667],
        ['b.example', false, false, 6667],
        ['c.example', false, false, 6667],
        ['192.0.2.7', true, true, 7000],
      ],
    )
  })

  test('NServers limits the servers KVIrc loads; bad numbers and host-less servers are warnings', async () => {
    const fact = await collectIn(
      {
        'home/u/.config/KVIrc/config/serverdb.kvc':
          '[Net]\nNServers=2\n0_Hostname=a.example\n0_Port=sixty\n1_Nick=nobody\n2_Hostname=c.example\n',
      },
      [user('u', '/home/u')],
    )
    const file = '/home/u/.config/KVIrc/config/serverdb.kvc'
    assert.deepEqual(
      fact.serverLists[0]?.networks[0]?.servers.map((s) => [s.hostname, s.port]),
      [['a.example', 6667]],
    )
    assert.deepEqual(fact.warnings, [
      { file, line: 4, message: "0_Port 'sixty' is not a number (KVIrc uses 6667)" },
      { file, line: 1, message: '[Net] server 1 has neither 1_Hostname nor 1_Ip (KVIrc skips it)' },
      { file, line: 6, message: '[Net] NServers=2, so KVIrc ignores server 2' },
    ])
  })

  test('~/.kvirc4.rc can move the KVIrc directory; homes shared by several users are read once', async () => {
    const fact = await collectIn(
      {
        'home/u/.kvirc4.rc': '# KVIrc configuration file\n[Main]\nLocalKvircDirectory=/data/u/kvirc\n',
        'data/u/kvirc/config/serverdb.kvc': '[Net]\nNServers=1\n0_Hostname=a.example\n',
      },
      [user('u', '/home/u'), user('u2', '/home/u/')],
    )
    assert.deepEqual(
      fact.serverLists.map((l) => [l.user, l.path]),
      [['u', '/data/u/kvirc/config/serverdb.kvc']],
    )
  })
})
