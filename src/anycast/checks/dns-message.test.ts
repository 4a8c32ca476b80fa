import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { freePort } from '../../../test/helpers/free-port.ts'
import { type NsdServer, startNsd, testZone } from '../../../test/helpers/nsd-server.ts'
import {
  DnsFormatError,
  decodeDnsReply,
  dnsRcodeName,
  dnsTypeCode,
  encodeDnsQuery,
  frameForTcp,
  replyMismatch,
} from './dns-message.ts'
import { tcpOpen, tcpReadUntil, udpRequest } from './socket-exchange.ts'

describe('DNS wire format', () => {
  test('a query is header, labels, type and class (RFC 1035 §4.1)', () => {
    const bytes = encodeDnsQuery({
      id: 0x1234,
      name: 'ns.Example.',
      type: 6,
      class: 1,
      recursionDesired: true,
    })
    assert.equal(
      bytes.toString('hex'),
      [
        ['1234', '0100', '0001', '0000', '0000', '0000'], // id, flags (RD), one question, no records
        ['02', '6e73', '07', '6578616d706c65', '00'], // 2 "ns" 7 "example" root, lower-cased
        ['0006', '0001'], // SOA, IN
      ]
        .flat()
        .join(''),
    )
    assert.equal(
      encodeDnsQuery({ id: 1, name: '.', type: 2, class: 1, recursionDesired: false }).length,
      12 + 1 + 4,
    )
    assert.throws(
      () =>
        encodeDnsQuery({ id: 1, name: `${'a'.repeat(64)}.test`, type: 1, class: 1, recursionDesired: false }),
      DnsFormatError,
    )
  })

  test('a reply is read through compression pointers, and a pointer loop is refused', () => {
    const query = { id: 7, name: 'whoami.anycast.test', type: 16, class: 1, recursionDesired: false }
    const question = encodeDnsQuery(query).subarray(12)
    const header = Buffer.from('0007' + '8403' + '0001' + '0002' + '0000' + '0000', 'hex') // QR AA, NXDOMAIN
    const reply = decodeDnsReply(Buffer.concat([header, question]))
    assert.equal(reply.isResponse, true)
    assert.equal(reply.authoritative, true)
    assert.equal(dnsRcodeName(reply.rcode), 'NXDOMAIN')
    assert.equal(reply.answerCount, 2)
    assert.deepEqual(reply.questions, [{ name: 'whoami.anycast.test', type: 16, class: 1 }])
    assert.equal(replyMismatch(query, reply), undefined)
    assert.match(replyMismatch({ ...query, id: 8 }, reply) ?? '', /does not match query id 8/)
    assert.match(replyMismatch({ ...query, type: 1 }, reply) ?? '', /not the question asked/)

    // The question name given as a pointer to a name stored after the header's question.
    const pointed = Buffer.concat([
      Buffer.from('000780000001000000000000', 'hex'),
      Buffer.from('c00c00100001', 'hex'),
    ])
    assert.throws(() => decodeDnsReply(pointed), /compression pointer loop/)
    assert.throws(() => decodeDnsReply(Buffer.from('0007', 'hex')), /shorter than a header/)
    assert.throws(
      () => decodeDnsReply(Buffer.concat([header.subarray(0, 12), Buffer.from([5, 0x61])])),
      /past the end/,
    )
  })

  test('type names follow RFC 3597 for unknown types', () => {
    assert.equal(dnsTypeCode('aaaa'), 28)
    assert.equal(dnsTypeCode('TYPE65'), 65)
    assert.equal(dnsTypeCode('NOPE'), undefined)
  })

  test("decodes the query dig sends (dig's own encoder as the oracle)", async () => {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const { port } = socket.address()
    const received = new Promise<Buffer>((resolve) => socket.once('message', resolve))
    const dig = new Promise<void>((resolve) =>
      execFile(
        'dig',
        ['+time=1', '+tries=1', '+norecurse', `-p${port}`, '@127.0.0.1', 'Host.Example.ORG', 'AAAA'],
        () => resolve(),
      ),
    )
    const message = await received
    socket.close()
    await dig
    const decoded = decodeDnsReply(message)
    assert.equal(decoded.isResponse, false)
    assert.equal(decoded.recursionDesired, false)
    assert.deepEqual(decoded.questions, [{ name: 'host.example.org', type: 28, class: 1 }])
  })
})

interface DigView {
  status: string
  answers: number
}

function dig(server: NsdServer, name: string, type: string, tcp: boolean): Promise<DigView> {
  const args = ['+time=2', '+tries=1', '+norecurse', `-p${server.port}`, `@${server.address}`, name, type]
  if (tcp) args.unshift('+tcp')
  return new Promise((resolve, reject) => {
    execFile('dig', args, (error, stdout) => {
      const status = /status: (\w+)/.exec(stdout)?.[1]
      const answers = /ANSWER: (\d+)/.exec(stdout)?.[1]
      if (error || !status || !answers) reject(error ?? new Error(stdout))
      else resolve({ status, answers: Number(answers) })
    })
  })
}

describe('DNS wire format against a real NSD, compared with dig', () => {
  let directory: string
  let nsd: NsdServer
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'preflight-dns-'))
    nsd = await startNsd(directory, { addresses: ['127.0.0.1'], port: await freePort() })
  })
  after(async () => {
    await nsd?.stop()
    await rm(directory, { recursive: true, force: true })
  })

  const questions: [string, string][] = [
    [testZone, 'SOA'],
    [`whoami.${testZone}`, 'TXT'],
    [`missing.${testZone}`, 'A'],
    ['example.org', 'A'],
  ]
  for (const tcp of [false, true]) {
    for (const [name, type] of questions) {
      test(`${tcp ? 'TCP' : 'UDP'} ${name} ${type}: same rcode and answer count as dig`, async () => {
        const query = { id: 4242, name, type: dnsTypeCode(type) ?? 0, class: 1, recursionDesired: false }
        const endpoint = { host: nsd.address, port: nsd.port, source: undefined }
        const signal = AbortSignal.timeout(3000)
        let raw: Buffer
        if (tcp) {
          const socket = await tcpOpen(endpoint, signal)
          socket.write(frameForTcp(encodeDnsQuery(query)))
          raw = await tcpReadUntil(socket, signal, (bytes) =>
            bytes.length >= 2 && bytes.length >= 2 + bytes.readUInt16BE(0) ? bytes.subarray(2) : undefined,
          )
        } else {
          raw = await udpRequest(endpoint, encodeDnsQuery(query), signal)
        }
        const reply = decodeDnsReply(raw)
        assert.equal(replyMismatch(query, reply), undefined)
        const expected = await dig(nsd, name, type, tcp)
        assert.deepEqual({ status: dnsRcodeName(reply.rcode), answers: reply.answerCount }, expected)
      })
    }
  }
})
