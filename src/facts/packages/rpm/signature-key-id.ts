/**
 * @module
 * The signing key of an rpm header signature (RFC 4880 / RFC 9580 signature packet as stored in
 * RPMTAG_RSAHEADER and friends): the 64-bit issuer key id, as `rpm -qi` prints after "Key ID".
 */

const signaturePacketTag = 2
const issuerSubpacket = 16
const issuerFingerprintSubpacket = 33

/** 16 lower-case hex digits, or undefined when `packet` is not a signature packet naming its issuer. */
export function signatureKeyId(packet: Buffer): string | undefined {
  const body = packetBody(packet)
  if (!body || body.length < 1) return undefined
  const version = body[0]
  if (version === 3) {
    // v3: version, hashed length (5), type, creation time, then the key id itself.
    return body.length >= 15 && body[1] === 5 ? body.subarray(7, 15).toString('hex') : undefined
  }
  if (version !== 4 && version !== 5 && version !== 6) return undefined
  const lengthBytes = version === 6 ? 4 : 2
  let at = 4
  let issuer: string | undefined
  for (let area = 0; area < 2; area++) {
    if (at + lengthBytes > body.length) return issuer
    const length = lengthBytes === 4 ? body.readUInt32BE(at) : body.readUInt16BE(at)
    at += lengthBytes
    const end = at + length
    if (end > body.length) return issuer
    issuer = subpacketIssuer(body.subarray(at, end)) ?? issuer
    at = end
  }
  return issuer
}

function packetBody(packet: Buffer): Buffer | undefined {
  const first = packet[0]
  if (first === undefined || (first & 0x80) === 0) return undefined
  let tag: number
  let length: number
  let at: number
  if (first & 0x40) {
    tag = first & 0x3f
    const octet = packet[1]
    if (octet === undefined) return undefined
    if (octet < 192) [length, at] = [octet, 2]
    else if (octet < 224) [length, at] = [((octet - 192) << 8) + (packet[2] ?? 0) + 192, 3]
    else if (octet === 255 && packet.length >= 6) [length, at] = [packet.readUInt32BE(2), 6]
    else return undefined
  } else {
    tag = (first >> 2) & 0x0f
    const lengthType = first & 0x03
    if (lengthType === 0 && packet.length >= 2) [length, at] = [packet[1] as number, 2]
    else if (lengthType === 1 && packet.length >= 3) [length, at] = [packet.readUInt16BE(1), 3]
    else if (lengthType === 2 && packet.length >= 5) [length, at] = [packet.readUInt32BE(1), 5]
    else if (lengthType === 3) [length, at] = [packet.length - 1, 1]
    else return undefined
  }
  if (tag !== signaturePacketTag || at + length > packet.length) return undefined
  return packet.subarray(at, at + length)
}

/** The issuer (type 16) of a subpacket area, else the key id inside an issuer fingerprint (type 33). */
function subpacketIssuer(area: Buffer): string | undefined {
  let fromFingerprint: string | undefined
  let at = 0
  while (at < area.length) {
    const octet = area[at] as number
    let length: number
    if (octet < 192) [length, at] = [octet, at + 1]
    else if (octet < 255) [length, at] = [((octet - 192) << 8) + (area[at + 1] ?? 0) + 192, at + 2]
    else if (at + 5 <= area.length) [length, at] = [area.readUInt32BE(at + 1), at + 5]
    else return fromFingerprint
    if (length < 1 || at + length > area.length) return fromFingerprint
    const type = (area[at] as number) & 0x7f
    const data = area.subarray(at + 1, at + length)
    if (type === issuerSubpacket && data.length === 8) return data.toString('hex')
    if (type === issuerFingerprintSubpacket && data.length > 1) {
      const keyVersion = data[0]
      const fingerprint = data.subarray(1)
      // v4 key ids are the fingerprint's last 8 bytes; v5 and v6 ids are its first 8.
      if (keyVersion === 4 && fingerprint.length === 20)
        fromFingerprint = fingerprint.subarray(12).toString('hex')
      else if (fingerprint.length === 32) fromFingerprint = fingerprint.subarray(0, 8).toString('hex')
    }
    at += length
  }
  return fromFingerprint
}
