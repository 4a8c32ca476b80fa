import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runCheckOn } from '../../test/helpers/run-check-on.ts'
import type { IrssiProxy } from '../facts/kvirc-servers/irssi-proxy.ts'
import { parseKvircConfig } from '../facts/kvirc-servers/parse-kvirc-config.ts'
import type { KvircNetwork, KvircServer, KvircServers } from '../facts/kvirc-servers.ts'
import type { CheckContext } from './define-check.ts'
import { kvircStarttlsProxy } from './kvirc-starttls-proxy.ts'

const roots = path.join(import.meta.dirname, '../../test/fixtures/roots')

const runOn = (root: string) => runCheckOn(kvircStarttlsProxy, path.join(roots, root))

describe('desktop.kvirc-starttls-proxy on fixture roots', () => {
  test("the blog's server list with STARTTLS on, and the host's irssi proxy on port 8000: needs action", async () => {
    const result = await runOn('kvirc-proxy-starttls')
    assert.equal(result.status, 'needs_action')
    assert.equal(result.risks.length, 1)
    const [found] = result.risks
    assert.equal(found?.level, 'high')
    assert.equal(found?.file, '/home/damian/.config/KVIrc/config/serverdb.kvc')
    assert.equal(found?.line, 10)
    const message = found?.message ?? ''
    assert.match(
      message,
      /^\[FreeNode\] server 0 myirssiproxy.local:8000 of damian has STARTTLS on \(0_EnabledSTARTTLS=true at line 10\)/,
    )
    assert.match(
      message,
      /port 8000 is the irssi proxy damian configured in \/home\/damian\/.irssi\/config:32 and its network matches the proxy's 'FreeNode=8000'/,
    )
    assert.match(message, /its host name 'myirssiproxy.local' contains 'proxy'/)
    assert.match(
      message,
      /it has a password and port 8000 is not an IRC network's port, as with most bouncers \(a weaker sign/,
    )
    assert.match(
      result.solution ?? '',
      /in \/home\/damian\/.config\/KVIrc\/config\/serverdb.kvc, set line 10 to `0_EnabledSTARTTLS=false` \(\[FreeNode\]\)/,
    )
    assert.match(result.solution ?? '', /untick 'Switch to SSL\/TLS by using the STARTTLS extension'/)
  })

  test('ordinary networks over SSL or plain 6667 pass, even with an irssi proxy on the host', async () => {
    const result = await runOn('kvirc-ordinary-tls')
    assert.equal(result.status, 'pass')
    assert.deepEqual(result.messages, [
      'No server with STARTTLS on looks like an IRC proxy or bouncer.',
      'alice: /home/alice/.config/KVIrc/config/serverdb.kvc: 3 server(s), 2 with STARTTLS on and no SSL.',
      'irssi proxy of alice: Libera=7777 (/home/alice/.irssi/config:4), on, loaded by /home/alice/.irssi/startup:1.',
    ])
  })

  test("the blog's fix (0_EnabledSTARTTLS=false) passes", async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'preflight-kvirc-fixed-'))
    try {
      await cp(path.join(roots, 'kvirc-proxy-starttls'), root, { recursive: true })
      const serverDb = path.join(root, 'home/damian/.config/KVIrc/config/serverdb.kvc')
      const text = await readFile(serverDb, 'utf8')
      await writeFile(serverDb, text.replace('0_EnabledSTARTTLS=true', '0_EnabledSTARTTLS=false'))
      const result = await runCheckOn(kvircStarttlsProxy, root)
      assert.equal(result.status, 'pass')
      assert.match(result.messages[1] ?? '', /1 server\(s\), 0 with STARTTLS on/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  test('not applicable without a KVIrc server list', async () => {
    const result = await runOn('ssh-slow-login-fires')
    assert.equal(result.status, 'notapplicable')
  })
})

function server(fields: Partial<KvircServer>): KvircServer {
  return {
    index: 0,
    hostname: 'irc.example.net',
    ip: '',
    port: 6667,
    password: '',
    ssl: false,
    startTls: true,
    line: 2,
    ...fields,
  }
}

function facts(
  networks: KvircNetwork[],
  irssiProxies: IrssiProxy[] = [],
): { kvircServers: KvircServers; hostname: string } {
  const path = '/home/u/.config/KVIrc/config/serverdb.kvc'
  return {
    kvircServers: {
      serverLists: [{ user: 'u', path, networks, file: parseKvircConfig('', path) }],
      irssiProxies,
      warnings: [],
    },
    hostname: 'desk.example.org',
  }
}

const context = {} as CheckContext
const proxyOnThisHost: IrssiProxy = {
  user: 'u',
  file: '/home/u/.irssi/config',
  listeners: [{ network: 'IRCnet', port: 2777 }],
  line: 5,
  enabled: true,
}

describe('desktop.kvirc-starttls-proxy decisions', () => {
  test('a server without the key (a KVIrc 3.x list) is flagged and the fix adds the key', async () => {
    const outcome = await kvircStarttlsProxy.run(
      facts(
        [
          {
            name: 'IRCnet',
            line: 1,
            password: '',
            servers: [server({ hostname: 'localhost', port: 2777, line: 3 })],
          },
        ],
        [proxyOnThisHost],
      ),
      context,
    )
    assert.equal(outcome.status, 'fail')
    assert.match(
      outcome.risks[0]?.message ?? '',
      /there is no 0_EnabledSTARTTLS key, which KVIrc takes as true/,
    )
    assert.match(outcome.risks[0]?.message ?? '', /'localhost' is this host/)
    assert.match(outcome.solution ?? '', /add `0_EnabledSTARTTLS=false` to \[IRCnet\] \(after line 3\)/)
  })

  test("the host's own name, a loopback address or the proxy's bind address point at this host", async () => {
    for (const hostname of ['desk.example.org', 'DESK', '127.0.0.1', '::1']) {
      const outcome = await kvircStarttlsProxy.run(
        facts(
          [{ name: 'Other', line: 1, password: '', servers: [server({ hostname, port: 2777 })] }],
          [proxyOnThisHost],
        ),
        context,
      )
      assert.equal(outcome.status, 'fail', hostname)
    }
    const bound = await kvircStarttlsProxy.run(
      facts(
        [
          {
            name: 'Other',
            line: 1,
            password: '',
            servers: [server({ hostname: 'irc-gw.example', ip: '10.1.1.1', port: 2777 })],
          },
        ],
        [{ ...proxyOnThisHost, bind: { address: '10.1.1.1', line: 6 } }],
      ),
      context,
    )
    assert.match(bound.risks[0]?.message ?? '', /'10.1.1.1' is this host/)
  })

  test('the proxy port alone, on another host and network, is no sign', async () => {
    const outcome = await kvircStarttlsProxy.run(
      facts(
        [
          {
            name: 'Libera',
            line: 1,
            password: '',
            servers: [server({ hostname: 'irc.libera.chat', port: 2777 })],
          },
        ],
        [proxyOnThisHost],
      ),
      context,
    )
    assert.equal(outcome.status, 'pass')
  })

  test('SSL servers and servers with STARTTLS off are never flagged', async () => {
    const outcome = await kvircStarttlsProxy.run(
      facts([
        {
          name: 'ZNC',
          line: 1,
          password: 'secret',
          servers: [
            server({ hostname: 'znc.example', port: 6697, ssl: true }),
            server({ index: 1, hostname: 'bnc.example', startTls: false }),
          ],
        },
      ]),
      context,
    )
    assert.equal(outcome.status, 'pass')
  })

  test('a password and an odd port alone is a weaker sign: medium risk, needs inspection', async () => {
    const outcome = await kvircStarttlsProxy.run(
      facts([
        {
          name: 'Home',
          line: 1,
          password: 'x',
          servers: [server({ hostname: 'irc.home.example', port: 31337 })],
        },
      ]),
      context,
    )
    assert.equal(outcome.status, 'fail')
    assert.equal(outcome.risks[0]?.level, 'medium')
    const standardPort = await kvircStarttlsProxy.run(
      facts([
        {
          name: 'Home',
          line: 1,
          password: 'x',
          servers: [server({ hostname: 'irc.home.example', port: 6667 })],
        },
      ]),
      context,
    )
    assert.equal(standardPort.status, 'pass')
  })

  test('bouncer words in the host or network name are signs', async () => {
    const outcome = await kvircStarttlsProxy.run(
      facts([
        { name: 'MyZNC', line: 1, password: '', servers: [server({ hostname: 'psybnc.example.org' })] },
      ]),
      context,
    )
    assert.equal(outcome.risks[0]?.level, 'high')
    assert.match(
      outcome.risks[0]?.message ?? '',
      /its host name 'psybnc.example.org' contains 'bnc'; its network name 'MyZNC' contains 'ZNC'/,
    )
  })
})
