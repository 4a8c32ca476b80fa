/**
 * @module
 * An installed rpm package as read from the database: the fields of the package list up front, and
 * dependencies and the file list decoded from the header on first use (most runs never look at the
 * files of most packages).
 */
import type { ParseWarning } from '../../../host/parse-error.ts'
import type { InstalledPackage } from '../package-source.ts'
import type { Header } from './header.ts'
import { RpmdbError } from './rpmdb-error.ts'
import { signatureKeyId } from './signature-key-id.ts'
import { digestAlgorithms, tags } from './tags.ts'

export type DependencyKind = 'requires' | 'provides' | 'conflicts' | 'obsoletes'

export interface RpmDependency {
  name: string
  /** RPMSENSE_* bits: comparison (see `senseOperator`) and kind (pre, post, rpmlib, …). */
  flags: number
  /** `[epoch:]version[-release]`; empty for an unversioned dependency. */
  version: string
}

export interface RpmFile {
  /**
   * Directory name + base name, as the bytes rpm stores (not always UTF-8). Undefined when the
   * header's directory tables are inconsistent, where rpm prints "(none)"; see `fileNamesProblem`.
   */
  path: Buffer | undefined
  /** Lower-case hex as stored; empty for directories, symlinks and files without content. */
  digest: string
  mode: number
  size: number
  user: string
  group: string
  /** Symlink target bytes; empty when not a symlink. */
  linkTo: Buffer
  /** Seconds since the epoch. */
  mtime: number
  /** RPMFILE_* bits (config, noreplace, missingok, ghost, doc, license, …). */
  flags: number
  /** RPMVERIFY_* bits: the attributes `rpm -V` compares (all when the package does not say). */
  verifyFlags: number
  rdev: number
  device: number
  /** rpm's per-package file number; files sharing one (with the same device) are hard links. */
  inode: number
  /** RPMFILE_STATE_* as recorded at install time; undefined when the header has no states. */
  state: number | undefined
  lang: string
  /** Capabilities in cap_to_text form; empty when none. */
  caps: string
}

const dependencyTags: Record<DependencyKind, [name: number, flags: number, version: number]> = {
  requires: [tags.REQUIRENAME, tags.REQUIREFLAGS, tags.REQUIREVERSION],
  provides: [tags.PROVIDENAME, tags.PROVIDEFLAGS, tags.PROVIDEVERSION],
  conflicts: [tags.CONFLICTNAME, tags.CONFLICTFLAGS, tags.CONFLICTVERSION],
  obsoletes: [tags.OBSOLETENAME, tags.OBSOLETEFLAGS, tags.OBSOLETEVERSION],
}

/** The header signatures `rpm -qi` looks at for "Signature", in its order. */
const signatureTags = [tags.DSAHEADER, tags.RSAHEADER, tags.SIGGPG, tags.SIGPGP]

export class RpmPackage implements InstalledPackage {
  readonly name: string
  readonly epoch: number | undefined
  readonly version: string
  readonly release: string
  /** Empty for packages without an architecture (gpg-pubkey). */
  readonly arch: string
  readonly vendor: string | undefined
  readonly summary: string | undefined
  readonly buildTime: number | undefined
  readonly installTime: number | undefined
  readonly signatureKeyId: string | undefined
  readonly source: string | undefined
  private fileList: RpmFile[] | undefined

  constructor(
    readonly header: Header,
    /** The database's record number for this header (rpm's header instance). */
    readonly instance: number,
    /** Host path of the database, for error messages. */
    private readonly file: string,
  ) {
    this.name = header.string(tags.NAME) ?? ''
    this.epoch = header.number(tags.EPOCH)
    this.version = header.string(tags.VERSION) ?? ''
    this.release = header.string(tags.RELEASE) ?? ''
    this.arch = header.string(tags.ARCH) ?? ''
    this.vendor = header.string(tags.VENDOR)
    this.summary = header.string(tags.SUMMARY)
    this.buildTime = header.number(tags.BUILDTIME)
    this.installTime = header.number(tags.INSTALLTIME)
    this.signatureKeyId = signingKey(header)?.slice(-8)
    this.source = header.string(tags.SOURCERPM)
  }

  /** The plain list entry (no header, no methods), as the package-list fact carries it. */
  toInstalledPackage(): InstalledPackage {
    const entry: InstalledPackage = {
      name: this.name,
      version: this.version,
      release: this.release,
      arch: this.arch,
    }
    if (this.epoch !== undefined) entry.epoch = this.epoch
    if (this.vendor !== undefined) entry.vendor = this.vendor
    if (this.summary !== undefined) entry.summary = this.summary
    if (this.installTime !== undefined) entry.installTime = this.installTime
    if (this.signatureKeyId !== undefined) entry.signatureKeyId = this.signatureKeyId
    if (this.source !== undefined) entry.source = this.source
    return entry
  }

  dependencies(kind: DependencyKind): RpmDependency[] {
    const [nameTag, flagsTag, versionTag] = dependencyTags[kind]
    const names = this.header.strings(nameTag) ?? []
    const flags = this.header.numbers(flagsTag) ?? []
    const versions = this.header.strings(versionTag) ?? []
    return names.map((name, i) => ({ name, flags: flags[i] ?? 0, version: versions[i] ?? '' }))
  }

  /** rpm's file digest algorithm for this package (PGPHASHALGO_*); MD5 when the header does not say. */
  get fileDigestAlgo(): number {
    return this.header.number(tags.FILEDIGESTALGO) || digestAlgorithms.MD5
  }

  /** Why the file paths are unknown (rpm prints "(none)" for them), or undefined when they are fine. */
  fileNamesProblem(): string | undefined {
    return this.fileNamesOrProblem().problem
  }

  /**
   * Every file entry of the package, in header order. Throws RpmdbError when the per-file tables
   * disagree on the number of files (rpm cannot list such a package's files either).
   */
  files(): RpmFile[] {
    this.fileList ??= this.readFiles()
    return this.fileList
  }

  private readFiles(): RpmFile[] {
    const { header } = this
    const { paths, count } = this.fileNamesOrProblem()
    const column = <T>(tag: number, values: T[] | undefined): T[] | undefined => {
      if (values !== undefined && values.length !== count) {
        throw new RpmdbError(
          this.file,
          `header #${this.instance} (${this.name}): tag ${tag} has ${values.length} entries for ${count} files`,
        )
      }
      return values
    }
    const sizes =
      column(tags.LONGFILESIZES, header.numbers(tags.LONGFILESIZES)) ??
      column(tags.FILESIZES, header.numbers(tags.FILESIZES))
    const modes = column(tags.FILEMODES, header.numbers(tags.FILEMODES))
    const rdevs = column(tags.FILERDEVS, header.numbers(tags.FILERDEVS))
    const mtimes = column(tags.FILEMTIMES, header.numbers(tags.FILEMTIMES))
    const digests = column(tags.FILEDIGESTS, header.strings(tags.FILEDIGESTS))
    const linkTos = column(tags.FILELINKTOS, header.byteStrings(tags.FILELINKTOS))
    const flags = column(tags.FILEFLAGS, header.numbers(tags.FILEFLAGS))
    const users = column(tags.FILEUSERNAME, header.strings(tags.FILEUSERNAME))
    const groups = column(tags.FILEGROUPNAME, header.strings(tags.FILEGROUPNAME))
    const verifyFlags = column(tags.FILEVERIFYFLAGS, header.numbers(tags.FILEVERIFYFLAGS))
    const devices = column(tags.FILEDEVICES, header.numbers(tags.FILEDEVICES))
    const inodes = column(tags.FILEINODES, header.numbers(tags.FILEINODES))
    const states = column(tags.FILESTATES, header.numbers(tags.FILESTATES))
    const langs = column(tags.FILELANGS, header.strings(tags.FILELANGS))
    const caps = column(tags.FILECAPS, header.strings(tags.FILECAPS))
    const noLink = Buffer.alloc(0)
    const files = new Array<RpmFile>(count)
    for (let i = 0; i < count; i++) {
      files[i] = {
        path: paths?.[i],
        digest: digests?.[i] ?? '',
        mode: modes?.[i] ?? 0,
        size: sizes?.[i] ?? 0,
        user: users?.[i] ?? '',
        group: groups?.[i] ?? '',
        linkTo: linkTos?.[i] ?? noLink,
        mtime: mtimes?.[i] ?? 0,
        flags: flags?.[i] ?? 0,
        // rpm (rpmfilesVFlags) treats a header without FILEVERIFYFLAGS as 0: only existence is verified.
        verifyFlags: verifyFlags?.[i] ?? 0,
        rdev: rdevs?.[i] ?? 0,
        device: devices?.[i] ?? 0,
        inode: inodes?.[i] ?? 0,
        state: states?.[i],
        lang: langs?.[i] ?? '',
        caps: caps?.[i] ?? '',
      }
    }
    return files
  }

  /** File paths from base names, directory names and indexes (or the pre-4.0 OLDFILENAMES). */
  private fileNamesOrProblem(): { paths?: Buffer[]; count: number; problem?: string } {
    const { header } = this
    const baseNames = header.byteStrings(tags.BASENAMES)
    if (!baseNames) {
      const old = header.byteStrings(tags.OLDFILENAMES)
      return old ? { paths: old, count: old.length } : { paths: [], count: 0 }
    }
    const count = baseNames.length
    const dirNames = header.byteStrings(tags.DIRNAMES) ?? []
    const dirIndexes = header.numbers(tags.DIRINDEXES) ?? []
    const inconsistent = (problem: string) => ({ count, problem })
    if (dirIndexes.length !== count)
      return inconsistent(`${dirIndexes.length} directory indexes for ${count} files`)
    if (dirNames.length < 1 || dirNames.length > count)
      return inconsistent(`${dirNames.length} directory names for ${count} files`)
    const paths = new Array<Buffer>(count)
    for (let i = 0; i < count; i++) {
      const dir = dirNames[dirIndexes[i] as number]
      if (!dir) return inconsistent(`file ${i + 1} names directory ${dirIndexes[i]} of ${dirNames.length}`)
      paths[i] = Buffer.concat([dir, baseNames[i] as Buffer])
    }
    return { paths, count }
  }
}

function signingKey(header: Header): string | undefined {
  for (const tag of signatureTags) {
    const packet = header.binary(tag)
    const keyId = packet && signatureKeyId(packet)
    if (keyId) return keyId
  }
  return undefined
}

/**
 * The package's files; undefined, with a warning on `databaseFile` naming the package by `label`,
 * when its file tables disagree (RpmPackage.files throws): one broken header must not hide the rest.
 */
export function filesOrWarning(
  pkg: RpmPackage,
  label: string,
  databaseFile: string,
  warnings: ParseWarning[],
): RpmFile[] | undefined {
  try {
    return pkg.files()
  } catch (error) {
    if (!(error instanceof RpmdbError)) throw error
    warnings.push({ file: databaseFile, line: 0, message: `${label}: ${error.detail}` })
    return undefined
  }
}
