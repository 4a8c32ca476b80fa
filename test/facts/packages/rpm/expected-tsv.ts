/**
 * Our package and file lists in the formats of the expected-*.tsv fixtures, which a real rpm wrote
 * with `rpm -qa --qf` (see test/fixtures/rpmdb/built/make.sh for the query formats). Bytes, not
 * text: file names and link targets are written as stored.
 */
import type { RpmPackage } from '../../../../src/facts/packages/rpm/rpm-package.ts'
import { fileFlagsString, tags } from '../../../../src/facts/packages/rpm/tags.ts'

export function packagesTsv(packages: readonly RpmPackage[]): string {
  const rows = packages.map((p) => `${p.name}\t${p.epoch ?? ''}\t${p.version}\t${p.release}\t${p.arch}\n`)
  return `name\tepoch\tversion\trelease\tarch\n${rows.join('')}`
}

/** rpm prints "(none)" for a tag the header lacks: FILENAMES when the directory tables are broken, FILEDIGESTALGO on MD5 packages. */
const none = Buffer.from('(none)')

export function filesTsv(packages: readonly RpmPackage[]): Buffer {
  const parts: Buffer[] = [
    Buffer.from(
      'name\tpath\tdigest\tmode\tsize\tflags\tuser\tgroup\tlinkto\tmtime\tverifyflags\tinode\tdigestalgo\n',
    ),
  ]
  for (const pkg of packages) {
    const algo = pkg.header.has(tags.FILEDIGESTALGO)
      ? String(pkg.header.number(tags.FILEDIGESTALGO))
      : '(none)'
    for (const file of pkg.files()) {
      const middle = `\t${file.digest}\t${file.mode.toString(8)}\t${file.size}\t${fileFlagsString(file.flags)}\t${file.user}\t${file.group}\t`
      const end = `\t${file.mtime}\t${file.verifyFlags.toString(16)}\t${file.inode}\t${algo}\n`
      parts.push(
        Buffer.from(`${pkg.name}\t`),
        file.path ?? none,
        Buffer.from(middle),
        file.linkTo,
        Buffer.from(end),
      )
    }
  }
  return Buffer.concat(parts)
}
