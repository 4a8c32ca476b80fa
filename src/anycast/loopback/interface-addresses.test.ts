import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { parsePrefix } from '../ip-prefix.ts'
import { ipCommandAddresses, parseIpAddrJson } from './interface-addresses.ts'

const namespace = `pfa${process.pid}-addr`

describe('interface addresses through iproute2 (in a namespace of its own)', () => {
  before(() => {
    execFileSync('ip', ['netns', 'add', namespace])
  })
  after(() => {
    execFileSync('ip', ['netns', 'del', namespace])
  })

  const addresses = () => ipCommandAddresses({ namespace })

  test('add and remove are idempotent, IPv4 and IPv6, spelled as ip(8) prints them', async () => {
    const v4 = parsePrefix('192.0.2.1/32')
    const v6 = parsePrefix('2001:DB8:53:0::1/128')
    assert.equal(await addresses().add('lo', v4), 'added')
    assert.equal(await addresses().add('lo', v4), 'present')
    assert.equal(await addresses().add('lo', v6), 'added')
    const listed = await addresses().list('lo')
    assert.ok(listed.has('192.0.2.1/32'))
    assert.ok(listed.has('2001:db8:53::1/128'))
    assert.match(
      execFileSync('ip', ['-n', namespace, 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }),
      /2001:db8:53::1\/128/,
    )
    assert.equal(await addresses().remove('lo', v4), 'removed')
    assert.equal(await addresses().remove('lo', v4), 'absent')
    assert.equal(await addresses().remove('lo', v6), 'removed')
    assert.equal((await addresses().list('lo')).has('192.0.2.1/32'), false)
  })

  test('a missing interface is an error naming it', async () => {
    await assert.rejects(addresses().add('nosuch0', parsePrefix('192.0.2.9')), /nosuch0/)
  })

  test('parses ip -j output, including addresses with host bits', () => {
    const json = JSON.stringify([
      {
        ifname: 'lo',
        addr_info: [
          { family: 'inet', local: '127.0.0.1', prefixlen: 8 },
          { family: 'inet6', local: '::1', prefixlen: 128 },
        ],
      },
    ])
    assert.deepEqual([...parseIpAddrJson(json)], ['127.0.0.1/8', '::1/128'])
  })
})
