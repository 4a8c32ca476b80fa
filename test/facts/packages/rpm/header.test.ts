import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parseHeader } from '../../../../src/facts/packages/rpm/header.ts'
import { RpmPackage } from '../../../../src/facts/packages/rpm/rpm-package.ts'
import { RpmdbError } from '../../../../src/facts/packages/rpm/rpmdb-error.ts'
import { tags, tagTypes } from '../../../../src/facts/packages/rpm/tags.ts'
import { filesTsv, packagesTsv } from './expected-tsv.ts'
import { buildHeader, packageTags } from './header-builder.ts'

const fixtures = fileURLToPath(new URL('../../../fixtures/rpmdb/', import.meta.url))

/** Expects parseHeader (or `run`) to refuse with an RpmdbError naming the file and matching `detail`. */
function assertRefused(run: () => unknown, detail: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof RpmdbError, `expected RpmdbError, got ${String(error)}`)
    assert.equal(error.file, '/var/lib/rpm/Packages')
    assert.match(error.message, /^\/var\/lib\/rpm\/Packages: header #7: /)
    assert.match(error.detail, detail)
    return true
  })
}

const parse = (blob: Buffer) => parseHeader(blob, '/var/lib/rpm/Packages', 'header #7')

describe('header blobs stored by rpm', () => {
  for (const [dir, file] of [
    ['header-blob', 'blob.bin'],
    ['claircore-package-header', 'package.header'],
  ] as const) {
    test(`${dir}: package and files equal rpm's listing byte for byte`, () => {
      const header = parseHeader(readFileSync(`${fixtures}${dir}/${file}`), file)
      const pkg = new RpmPackage(header, 1, file)
      assert.equal(packagesTsv([pkg]), readFileSync(`${fixtures}${dir}/expected-packages.tsv`, 'utf8'))
      assert.equal(
        filesTsv([pkg]).toString('latin1'),
        readFileSync(`${fixtures}${dir}/expected-files.tsv`).toString('latin1'),
      )
    })
  }

  test('a file list whose directory index is out of range has no paths, as rpm prints (none)', () => {
    const pkg = new RpmPackage(
      parseHeader(readFileSync(`${fixtures}header-blob/blob.bin`), 'blob.bin'),
      1,
      'blob.bin',
    )
    assert.equal(pkg.fileNamesProblem(), 'file 4 names directory 4 of 4')
    assert.deepEqual(
      pkg.files().map((file) => [file.path, file.size]),
      [
        [undefined, 0],
        [undefined, 16727],
        [undefined, 0],
        [undefined, 52088],
      ],
    )
  })
})

describe('parseHeader', () => {
  test('reads every tag type, the untranslated I18N string and unsigned integers', () => {
    const header = parse(
      buildHeader(
        packageTags('demo', [
          { tag: tags.EPOCH, type: tagTypes.INT32, value: [3] },
          { tag: tags.FILEMODES, type: tagTypes.INT16, value: [0o100644, 0o40755] },
          { tag: tags.FILEVERIFYFLAGS, type: tagTypes.INT32, value: [0xffffffff, 0] },
          { tag: tags.FILESTATES, type: tagTypes.CHAR, value: [0, 2] },
          { tag: tags.LONGFILESIZES, type: tagTypes.INT64, value: [2 ** 40, 1] },
          { tag: tags.RSAHEADER, type: tagTypes.BIN, value: Buffer.from([1, 2, 3]) },
          { tag: tags.BASENAMES, type: tagTypes.STRING_ARRAY, value: ['a', 'caf\xe9'] },
        ]),
      ),
    )
    assert.equal(header.string(tags.NAME), 'demo')
    assert.equal(header.string(tags.SUMMARY), 'A package')
    assert.deepEqual(header.strings(tags.SUMMARY), ['A package'])
    assert.equal(header.number(tags.EPOCH), 3)
    assert.deepEqual(header.numbers(tags.FILEMODES), [0o100644, 0o40755])
    assert.deepEqual(header.numbers(tags.FILEVERIFYFLAGS), [0xffffffff, 0])
    assert.deepEqual(header.numbers(tags.FILESTATES), [0, 2])
    assert.deepEqual(header.numbers(tags.LONGFILESIZES), [2 ** 40, 1])
    assert.deepEqual(header.binary(tags.RSAHEADER), Buffer.from([1, 2, 3]))
    assert.deepEqual(header.byteStrings(tags.BASENAMES), [
      Buffer.from('a'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    ])
    assert.equal(header.string(tags.VENDOR), undefined)
    assert.equal(header.numbers(tags.NAME), undefined, 'a string tag is not a number')
    assert.equal(header.string(tags.EPOCH), undefined, 'a number tag is not a string')
  })

  test('entries after the region replace region entries of the same tag, BASENAMES drops OLDFILENAMES', () => {
    const header = parse(
      buildHeader(
        packageTags('demo', [
          { tag: tags.INSTALLTIME, type: tagTypes.INT32, value: [1] },
          { tag: tags.OLDFILENAMES, type: tagTypes.STRING_ARRAY, value: ['/old'] },
        ]),
        {
          dribbles: [
            { tag: tags.INSTALLTIME, type: tagTypes.INT32, value: [1700000000] },
            { tag: tags.BASENAMES, type: tagTypes.STRING_ARRAY, value: ['new'] },
          ],
        },
      ),
    )
    assert.equal(header.number(tags.INSTALLTIME), 1700000000)
    assert.equal(header.has(tags.OLDFILENAMES), false)
    assert.deepEqual(header.strings(tags.BASENAMES), ['new'])
  })

  test('a header without a region (rpm 3 style) is read as it is', () => {
    const header = parse(buildHeader(packageTags('old'), { region: false }))
    assert.equal(header.string(tags.NAME), 'old')
  })

  test('refuses blobs whose sizes do not add up, before allocating anything from them', () => {
    const good = buildHeader(packageTags('demo'))
    assertRefused(() => parse(good.subarray(0, 5)), /too short/)
    assertRefused(() => parse(good.subarray(0, good.length - 1)), /does not match its/)
    assertRefused(() => parse(Buffer.concat([good, Buffer.alloc(1)])), /does not match its/)
    const hugeCount = Buffer.from(good)
    hugeCount.writeUInt32BE(0xffffffff, 0)
    assertRefused(() => parse(hugeCount), /more than rpm allows/)
    const hugeData = Buffer.from(good)
    hugeData.writeUInt32BE(0x7fffffff, 4)
    assertRefused(() => parse(hugeData), /more than rpm allows/)
    assertRefused(() => parse(Buffer.alloc(8)), /no tags/)
  })

  test('refuses a broken region trailer', () => {
    const blob = buildHeader(packageTags('demo'))
    const dataStart = 8 + blob.readUInt32BE(0) * 16
    const trailerAt = dataStart + blob.readInt32BE(16)
    const wrongTag = Buffer.from(blob)
    wrongTag.writeUInt32BE(tags.HEADERSIGNATURES, trailerAt)
    assertRefused(() => parse(wrongTag), /malformed region trailer/)
    const tooManyEntries = Buffer.from(blob)
    tooManyEntries.writeInt32BE(-100 * 16, trailerAt + 8)
    assertRefused(() => parse(tooManyEntries), /region claims/)
    const outside = Buffer.from(blob)
    outside.writeInt32BE(1 << 20, 16)
    assertRefused(() => parse(outside), /region trailer outside the data/)
  })

  test('refuses entries rpm calls damaged', () => {
    const blob = buildHeader(packageTags('demo', [{ tag: tags.EPOCH, type: tagTypes.INT32, value: [1] }]))
    const entry = (i: number) => 8 + i * 16
    const epochIndex = 5 // region, NAME, VERSION, RELEASE, SUMMARY, EPOCH
    assert.equal(blob.readUInt32BE(entry(epochIndex)), tags.EPOCH)
    const mutate = (at: number, value: number) => {
      const copy = Buffer.from(blob)
      copy.writeUInt32BE(value >>> 0, at)
      return copy
    }
    assertRefused(
      () => parse(mutate(entry(epochIndex) + 8, blob.readUInt32BE(entry(epochIndex) + 8) + 2)),
      /misaligned/,
    )
    assertRefused(
      () => parse(mutate(entry(epochIndex) + 8, 0)),
      /overlaps the previous entry|runs into the next entry/,
    )
    assertRefused(() => parse(mutate(entry(epochIndex), 50)), /reserved/)
    assertRefused(() => parse(mutate(entry(epochIndex) + 4, 12)), /unknown data type/)
    assertRefused(() => parse(mutate(entry(epochIndex) + 4, tagTypes.STRING)), /does not match the tag/)
    assertRefused(() => parse(mutate(entry(epochIndex) + 12, 0)), /count out of range/)
    assertRefused(
      () => parse(mutate(entry(epochIndex) + 12, 1000)),
      /count out of range|runs into the next entry/,
    )
    assertRefused(() => parse(mutate(entry(1) + 12, 2)), /a string tag must have count 1/)
  })

  test('refuses data with a gap, as rpm does when the packed length differs from the stored one', () => {
    const blob = buildHeader(packageTags('demo', [{ tag: tags.EPOCH, type: tagTypes.INT32, value: [1] }]), {
      region: false,
    })
    // Move ARCH (the last entry, a string) one byte later: the strings still parse, the sum does not.
    const withGap = Buffer.concat([blob, Buffer.alloc(1)])
    withGap.writeUInt32BE(blob.readUInt32BE(4) + 1, 4)
    const archEntry = 8 + (blob.readUInt32BE(0) - 1) * 16
    withGap.writeInt32BE(blob.readInt32BE(archEntry + 8) + 1, archEntry + 8)
    const dataStart = 8 + blob.readUInt32BE(0) * 16
    withGap.copy(
      withGap,
      dataStart + withGap.readInt32BE(archEntry + 8),
      dataStart + blob.readInt32BE(archEntry + 8),
      blob.length,
    )
    assertRefused(() => parse(withGap), /adds up to/)
  })

  test('an unterminated string is found when that tag is read, naming the file and tag', () => {
    const blob = buildHeader(
      packageTags('demo', [{ tag: tags.BASENAMES, type: tagTypes.STRING_ARRAY, value: ['a', 'b'] }]),
    )
    const basenamesEntry = 8 + 5 * 16
    const broken = Buffer.from(blob)
    broken.writeUInt32BE(3, basenamesEntry + 12) // claims 3 strings where 2 are stored
    const header = parse(broken)
    assert.equal(header.string(tags.NAME), 'demo')
    assertRefused(() => header.strings(tags.BASENAMES), /tag 1117: string 3 of 3 does not end/)
  })
})
