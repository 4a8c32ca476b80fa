/**
 * @module
 * The OpenSSH version of an sshd binary, read from the version banner compiled into it
 * ("OpenSSH_9.2p1", as `sshd -V` prints it). Reading bytes works on offline roots and on hosts
 * without a package database, and it names the binary that actually runs, not a package.
 */

export interface OpensshVersion {
  /** The banner as found: 'OpenSSH_5.3p1'. */
  banner: string
  major: number
  minor: number
}

/**
 * The banner is a C string of its own ('\0OpenSSH_9.2p1\0' or followed by a vendor suffix such as
 * ' Debian-2+deb12u10'); the compatibility table in the same binary holds patterns like
 * 'OpenSSH_7.4*' that must not count, hence the delimiters.
 */
const bannerPattern = /(?:^|\0)(OpenSSH_(\d+)\.(\d+)(?:\.\d+)?(p\d+)?)(?=[\0 -])/g

export function opensshVersion(binary: Buffer): OpensshVersion | undefined {
  let best: OpensshVersion | undefined
  let bestHasPortable = false
  for (const match of binary.toString('latin1').matchAll(bannerPattern)) {
    const hasPortable = match[4] !== undefined
    if (best && (bestHasPortable || !hasPortable)) continue
    best = { banner: match[1] ?? '', major: Number(match[2]), minor: Number(match[3]) }
    bestHasPortable = hasPortable
  }
  return best
}

/** Parses '7.4p1' or 'OpenSSH_7.4p1' (the release tables use the short form). */
export function parseOpensshVersion(text: string): OpensshVersion | undefined {
  const match = /^(?:OpenSSH_)?(\d+)\.(\d+)/.exec(text)
  if (!match) return undefined
  return {
    banner: text.startsWith('OpenSSH_') ? text : `OpenSSH_${text}`,
    major: Number(match[1]),
    minor: Number(match[2]),
  }
}

/** Negative when a is older than b (major.minor only: patch levels never changed a default). */
export function compareOpensshVersions(a: OpensshVersion, b: OpensshVersion): number {
  return a.major - b.major || a.minor - b.minor
}

/** OpenSSH 6.8 turned UseDNS off by default (release notes: "sshd(8): UseDNS now defaults to 'no'"). */
export function upstreamUseDnsDefault(version: OpensshVersion): boolean {
  return compareOpensshVersions(version, { banner: '', major: 6, minor: 8 }) < 0
}
