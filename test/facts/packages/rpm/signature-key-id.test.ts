import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signatureKeyId } from '../../../../src/facts/packages/rpm/signature-key-id.ts'

const keyId = Buffer.from('199e2f91fd431d51', 'hex')
const fingerprint = Buffer.concat([Buffer.from('0123456789abcdef01234567', 'hex'), keyId])

function newFormatPacket(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xc2, body.length]), body])
}

function v4Body(hashed: Buffer, unhashed: Buffer): Buffer {
  const lengths = (area: Buffer) => Buffer.from([area.length >> 8, area.length & 0xff])
  return Buffer.concat([
    Buffer.from([4, 0, 1, 8]),
    lengths(hashed),
    hashed,
    lengths(unhashed),
    unhashed,
    Buffer.alloc(4),
  ])
}

const subpacket = (type: number, data: Buffer) => Buffer.concat([Buffer.from([data.length + 1, type]), data])

test('v4: the issuer subpacket (16), else the issuer fingerprint (33)', () => {
  assert.equal(
    signatureKeyId(newFormatPacket(v4Body(Buffer.alloc(0), subpacket(16, keyId)))),
    '199e2f91fd431d51',
  )
  const withFingerprint = subpacket(33, Buffer.concat([Buffer.from([4]), fingerprint]))
  assert.equal(signatureKeyId(newFormatPacket(v4Body(withFingerprint, Buffer.alloc(0)))), '199e2f91fd431d51')
})

test('v3: the key id at its fixed place, old-format packet header', () => {
  const body = Buffer.concat([
    Buffer.from([3, 5, 0]),
    Buffer.alloc(4),
    keyId,
    Buffer.from([1, 2]),
    Buffer.alloc(2),
  ])
  assert.equal(signatureKeyId(Buffer.concat([Buffer.from([0x88, body.length]), body])), '199e2f91fd431d51')
})

test('anything else has no key id', () => {
  assert.equal(signatureKeyId(Buffer.alloc(0)), undefined)
  assert.equal(signatureKeyId(Buffer.from([0x99, 0x00, 0x01])), undefined, 'a public key packet')
  assert.equal(signatureKeyId(newFormatPacket(v4Body(Buffer.alloc(0), Buffer.alloc(0)))), undefined)
  const truncated = newFormatPacket(v4Body(Buffer.alloc(0), subpacket(16, keyId))).subarray(0, 12)
  assert.equal(signatureKeyId(truncated), undefined)
})
