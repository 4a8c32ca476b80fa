/**
 * @module
 * The numbers of rpm's header format that preflight reads: tag ids, data types, file and verify
 * flags, dependency sense bits and file digest algorithms (rpmtag.h, rpmfiles.h, rpmds.h and
 * rpmpgp.h of rpm 4.x; they have not changed since the formats were introduced).
 */

/** Tag data types of the on-disk header (rpmTagType). */
export const tagTypes = {
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const

export type TagType = (typeof tagTypes)[keyof typeof tagTypes]

export const tags = {
  /** Region tags: the first entry of a header, marking the entries covered by the signature. */
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,

  SIGPGP: 259,
  SIGGPG: 262,
  DSAHEADER: 267,
  RSAHEADER: 268,

  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  BUILDTIME: 1006,
  INSTALLTIME: 1008,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILESTATES: 1029,
  FILEMODES: 1030,
  FILERDEVS: 1033,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  SOURCERPM: 1044,
  FILEVERIFYFLAGS: 1045,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  OBSOLETENAME: 1090,
  FILEDEVICES: 1095,
  FILEINODES: 1096,
  FILELANGS: 1097,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGFILESIZES: 5008,
  FILECAPS: 5010,
  FILEDIGESTALGO: 5011,
} as const

/**
 * The type rpm's tag table gives each tag we read ('string' where any string type will do). rpm
 * refuses, as a damaged header, an immutable region whose entry disagrees with it.
 */
export const expectedTagTypes: ReadonlyMap<number, TagType | 'string'> = new Map<number, TagType | 'string'>([
  ...[tags.SIGPGP, tags.SIGGPG, tags.DSAHEADER, tags.RSAHEADER].map((tag) => [tag, tagTypes.BIN] as const),
  ...[
    tags.NAME,
    tags.VERSION,
    tags.RELEASE,
    tags.SUMMARY,
    tags.VENDOR,
    tags.LICENSE,
    tags.ARCH,
    tags.OLDFILENAMES,
    tags.FILEDIGESTS,
    tags.FILELINKTOS,
    tags.FILEUSERNAME,
    tags.FILEGROUPNAME,
    tags.SOURCERPM,
    tags.PROVIDENAME,
    tags.REQUIRENAME,
    tags.REQUIREVERSION,
    tags.CONFLICTNAME,
    tags.CONFLICTVERSION,
    tags.OBSOLETENAME,
    tags.FILELANGS,
    tags.PROVIDEVERSION,
    tags.OBSOLETEVERSION,
    tags.BASENAMES,
    tags.DIRNAMES,
    tags.FILECAPS,
  ].map((tag) => [tag, 'string'] as const),
  ...[
    tags.EPOCH,
    tags.BUILDTIME,
    tags.INSTALLTIME,
    tags.FILESIZES,
    tags.FILEMTIMES,
    tags.FILEFLAGS,
    tags.FILEVERIFYFLAGS,
    tags.REQUIREFLAGS,
    tags.CONFLICTFLAGS,
    tags.FILEDEVICES,
    tags.FILEINODES,
    tags.PROVIDEFLAGS,
    tags.OBSOLETEFLAGS,
    tags.DIRINDEXES,
    tags.FILEDIGESTALGO,
  ].map((tag) => [tag, tagTypes.INT32] as const),
  [tags.FILEMODES, tagTypes.INT16],
  [tags.FILERDEVS, tagTypes.INT16],
  [tags.FILESTATES, tagTypes.CHAR],
  [tags.LONGFILESIZES, tagTypes.INT64],
])

/** RPMTAG_FILEFLAGS bits (rpmfileAttrs). */
export const fileFlags = {
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  MISSINGOK: 1 << 3,
  NOREPLACE: 1 << 4,
  SPECFILE: 1 << 5,
  GHOST: 1 << 6,
  LICENSE: 1 << 7,
  README: 1 << 8,
  PUBKEY: 1 << 11,
  ARTIFACT: 1 << 12,
} as const

/** The letters of rpm's `:fflags` format, in the order rpm prints them. */
const fileFlagLetters: [number, string][] = [
  [fileFlags.DOC, 'd'],
  [fileFlags.CONFIG, 'c'],
  [fileFlags.SPECFILE, 's'],
  [fileFlags.MISSINGOK, 'm'],
  [fileFlags.NOREPLACE, 'n'],
  [fileFlags.GHOST, 'g'],
  [fileFlags.LICENSE, 'l'],
  [fileFlags.README, 'r'],
  [fileFlags.ARTIFACT, 'a'],
]

/** File flags as `rpm --qf '%{FILEFLAGS:fflags}'` prints them ('cmng' for a missingok, noreplace ghost config). */
export function fileFlagsString(flags: number): string {
  return fileFlagLetters.map(([bit, letter]) => (flags & bit ? letter : '')).join('')
}

/** RPMTAG_FILEVERIFYFLAGS bits (rpmVerifyAttrs): which attributes `rpm -V` compares. */
export const verifyFlags = {
  FILEDIGEST: 1 << 0,
  FILESIZE: 1 << 1,
  LINKTO: 1 << 2,
  USER: 1 << 3,
  GROUP: 1 << 4,
  MTIME: 1 << 5,
  MODE: 1 << 6,
  RDEV: 1 << 7,
  CAPS: 1 << 8,
} as const

/** RPMTAG_FILESTATES values; rpm verifies only normal and netshared files. */
export const fileStates = {
  NORMAL: 0,
  REPLACED: 1,
  NOTINSTALLED: 2,
  NETSHARED: 3,
  WRONGCOLOR: 4,
} as const

/** Dependency flags (rpmsenseFlags): the comparison bits and the kinds of dependency. */
export const senseFlags = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  POSTTRANS: 1 << 5,
  PREREQ: 1 << 6,
  PRETRANS: 1 << 7,
  INTERP: 1 << 8,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  SCRIPT_PREUN: 1 << 11,
  SCRIPT_POSTUN: 1 << 12,
  RPMLIB: 1 << 24,
  CONFIG: 1 << 28,
} as const

/** `<`, `<=`, `=`, `>=`, `>` or '' for an unversioned dependency, as rpm -qR prints the sense. */
export function senseOperator(flags: number): string {
  const less = flags & senseFlags.LESS ? '<' : ''
  const greater = flags & senseFlags.GREATER ? '>' : ''
  const equal = flags & senseFlags.EQUAL ? '=' : ''
  return `${less}${greater}${equal}`
}

/** OpenPGP hash algorithm ids used by RPMTAG_FILEDIGESTALGO (pgpHashAlgo). */
export const digestAlgorithms = {
  MD5: 1,
  SHA1: 2,
  RIPEMD160: 3,
  SHA256: 8,
  SHA384: 9,
  SHA512: 10,
  SHA224: 11,
  SHA3_256: 12,
  SHA3_512: 14,
} as const

const digestAlgorithmNames = new Map<number, string>([
  [digestAlgorithms.MD5, 'md5'],
  [digestAlgorithms.SHA1, 'sha1'],
  [digestAlgorithms.RIPEMD160, 'ripemd160'],
  [digestAlgorithms.SHA256, 'sha256'],
  [digestAlgorithms.SHA384, 'sha384'],
  [digestAlgorithms.SHA512, 'sha512'],
  [digestAlgorithms.SHA224, 'sha224'],
  [digestAlgorithms.SHA3_256, 'sha3-256'],
  [digestAlgorithms.SHA3_512, 'sha3-512'],
])

/** The node:crypto name of a file digest algorithm; undefined for ids rpm does not define. */
export function digestAlgorithmName(algorithm: number): string | undefined {
  return digestAlgorithmNames.get(algorithm)
}
