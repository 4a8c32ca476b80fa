/**
 * @module
 * Typed access to vendor-keys.json (validated when loaded): the signing keys of each distribution's
 * own packages and of well-known third parties, looked up by the short (last 8 hex digits) key id
 * the package list keeps for each rpm.
 */
import { z } from 'zod'
import vendorKeysData from './vendor-keys.json' with { type: 'json' }

const keyId = z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 lower-case hex digits')

const vendorKeysSchema = z.object({
  asOf: z.string(),
  distributions: z.record(
    z.string(),
    z.object({
      name: z.string(),
      keys: z.array(z.object({ id: keyId, uid: z.string(), use: z.string() })).min(1),
    }),
  ),
  thirdParty: z.array(z.object({ id: keyId, name: z.string(), uid: z.string() })),
})

export interface KnownKey {
  /** 16 hex digits. */
  id: string
  /** Who the key belongs to: 'Red Hat', 'EPEL 6'. */
  owner: string
}

export interface SigningKeyTable {
  /** The distribution's name, when its keys are known. */
  vendor?: string
  /** The distribution's own keys, by short id. */
  own: ReadonlyMap<string, KnownKey>
  /** Well-known third parties' keys, by short id. */
  thirdParty: ReadonlyMap<string, KnownKey>
}

const data = vendorKeysSchema.parse(vendorKeysData)
export const vendorKeysAsOf = data.asOf

export function shortKeyId(id: string): string {
  return id.slice(-8).toLowerCase()
}

const thirdParty = new Map(
  data.thirdParty.map((key) => [shortKeyId(key.id), { id: key.id, owner: key.name }]),
)

/** The keys to judge a host of this distribution (os-release ID) by. */
export function signingKeysFor(distro: string): SigningKeyTable {
  const distribution = data.distributions[distro]
  if (!distribution) return { own: new Map(), thirdParty }
  const own = new Map(
    distribution.keys.map((key) => [shortKeyId(key.id), { id: key.id, owner: distribution.name }]),
  )
  return { vendor: distribution.name, own, thirdParty }
}
