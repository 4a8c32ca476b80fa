import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { openHost } from '../../../host/host.ts'
import {
  dpkgFiles,
  dpkgInfoFile,
  dpkgNodeName,
  parseDpkgDiversions,
  parseDpkgList,
  parseDpkgMd5sums,
  readDpkgInfoFormat,
} from './dpkg-files.ts'
import type { DpkgPackage } from './dpkg-status.ts'

const pkg = (overrides: Partial<DpkgPackage>): DpkgPackage => ({
  name: 'libc6',
  arch: 'amd64',
  want: 'install',
  errorFlag: 'ok',
  state: 'installed',
  version: '2.36-9',
  conffiles: [],
  line: 1,
  ...overrides,
})

describe('dpkg info files', () => {
  test('node names: leading slashes and ./ pairs skipped, one slash added', () => {
    assert.equal(dpkgNodeName('/.'), '/.')
    assert.equal(dpkgNodeName('usr/bin/x'), '/usr/bin/x')
    assert.equal(dpkgNodeName('//./usr/bin/x'), '/usr/bin/x')
  })

  test('.list: file order kept, trailing slash stripped, problems become warnings with the line', () => {
    const { paths, warnings } = parseDpkgList(
      '/.\n/etc/\n/etc/foo bar.conf\n\n/usr/bin/x',
      '/var/lib/dpkg/info/p.list',
    )
    assert.deepEqual(paths, ['/.', '/etc', '/etc/foo bar.conf', '/usr/bin/x'])
    assert.deepEqual(warnings, [
      { file: '/var/lib/dpkg/info/p.list', line: 5, message: 'missing final newline' },
      { file: '/var/lib/dpkg/info/p.list', line: 4, message: 'empty file name' },
    ])
  })

  test('.md5sums: the digest as written, keyed by node name; malformed lines are warnings', () => {
    const good = 'd41d8cd98f00b204e9800998ecf8427e'
    const { digests, warnings } = parseDpkgMd5sums(
      `${good}  usr/share/doc/p/copyright\n${good} usr/bin/one-space\nshort\n${good}  \n`,
      'p.md5sums',
    )
    assert.deepEqual([...digests], [['/usr/share/doc/p/copyright', good]])
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message]),
      [
        [2, 'missing value separator'],
        [3, 'missing value'],
        [4, 'missing value'],
      ],
    )
  })

  test('diversions: three-line records, ":" for a local diversion, a cut record is a warning', () => {
    const { diversions, warnings } = parseDpkgDiversions(
      '/bin/sh\n/bin/sh.distrib\ndash\n/usr/bin/x\n/usr/bin/x.orig\n:\n/cut\n',
      'diversions',
    )
    assert.deepEqual(diversions, [
      { from: '/bin/sh', to: '/bin/sh.distrib', package: 'dash' },
      { from: '/usr/bin/x', to: '/usr/bin/x.orig', package: undefined },
    ])
    assert.deepEqual(warnings, [
      { file: 'diversions', line: 7, message: 'diversion record of fewer than three lines' },
    ])
  })

  test('info file names: <pkg>:<arch> only for Multi-Arch: same in the multiarch layout', () => {
    assert.equal(dpkgInfoFile(pkg({ multiArch: 'same' }), 1, 'list'), '/var/lib/dpkg/info/libc6:amd64.list')
    assert.equal(dpkgInfoFile(pkg({ multiArch: 'same' }), 0, 'list'), '/var/lib/dpkg/info/libc6.list')
    assert.equal(
      dpkgInfoFile(pkg({ multiArch: 'foreign' }), 1, 'md5sums'),
      '/var/lib/dpkg/info/libc6.md5sums',
    )
  })

  test('reads a package of a fixture root: list, md5sums, format', async () => {
    const root = path.join(import.meta.dirname, '../../../../test/fixtures/roots/debian12-conffiles')
    const host = openHost({ root })
    assert.equal(await readDpkgInfoFormat(host), 1)
    const files = await dpkgFiles(host, pkg({ name: 'demo-tools', multiArch: 'same' }), 1)
    assert.equal(files.listed, true)
    assert.deepEqual(files.paths.slice(0, 4), ['/.', '/usr', '/usr/bin', '/usr/bin/demo-tool'])
    assert.deepEqual([...files.digests.keys()], ['/usr/bin/demo-tool', '/usr/share/doc/demo-tools/copyright'])
    const absent = await dpkgFiles(host, pkg({ name: 'not-there' }), 1)
    assert.deepEqual(absent, { paths: [], listed: false, digests: new Map(), warnings: [] })
  })
})
