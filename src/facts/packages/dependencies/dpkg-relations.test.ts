import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseDpkgStatus } from '../dpkg/dpkg-status.ts'
import { dpkgRelations, parseRelationField } from './dpkg-relations.ts'
import { unsatisfiedRelations } from './unsatisfied-relations.ts'

describe('parseRelationField', () => {
  test('reads alternatives, operators old and new, architecture qualifiers, restrictions', () => {
    const { clauses, errors } = parseRelationField(
      'libc6 (>= 2.36), python3:any,  foo (<< 2) | bar (>2.0) [amd64] <!nocheck>, baz:amd64 (= 1:1.0-1)',
    )
    assert.deepEqual(errors, [])
    assert.deepEqual(
      clauses.map((clause) => clause.map((alternative) => [alternative.text, alternative.request])),
      [
        [['libc6 (>= 2.36)', { name: 'libc6', relation: '>=', version: '2.36' }]],
        [['python3:any', { name: 'python3', archQualifier: 'any' }]],
        [
          ['foo (<< 2)', { name: 'foo', relation: '<', version: '2' }],
          ['bar (> 2.0)', { name: 'bar', relation: '>=', version: '2.0' }],
        ],
        [
          [
            'baz:amd64 (= 1:1.0-1)',
            { name: 'baz', archQualifier: 'amd64', relation: '=', version: '1:1.0-1' },
          ],
        ],
      ],
    )
  })

  test('a clause dpkg could not parse is an error, the others are kept', () => {
    const { clauses, errors } = parseRelationField('libc6 (>= 2.36, good, (broken)')
    assert.deepEqual(errors, ["cannot parse 'libc6 (>= 2.36'", "cannot parse '(broken)'"])
    assert.equal(clauses.length, 1)
  })
})

describe('dpkgRelations', () => {
  test('a malformed field is a warning naming the file and line', () => {
    const status = [
      'Package: app',
      'Status: install ok installed',
      'Architecture: amd64',
      'Version: 1.0',
      'Depends: libc6 (>= 2.36, good',
      '',
    ].join('\n')
    const { packages } = parseDpkgStatus(status, '/var/lib/dpkg/status')
    const relations = dpkgRelations(status, '/var/lib/dpkg/status', packages)
    assert.deepEqual(relations.warnings, [
      {
        file: '/var/lib/dpkg/status',
        line: 5,
        message: "package app: Depends: cannot parse 'libc6 (>= 2.36'",
      },
    ])
    assert.deepEqual(
      unsatisfiedRelations(relations.packages, relations.index).map((found) => found.relation.text),
      ['Depends: good'],
    )
  })

  test('only = versions are provided; a half-installed package still provides, a removed one does not', () => {
    const stanza = (lines: string[]) => [...lines, 'Architecture: amd64', 'Version: 1.0'].join('\n')
    const status = `${[
      stanza([
        'Package: provider',
        'Status: install ok half-configured',
        'Provides: virt (>= 2), other (= 3)',
      ]),
      stanza(['Package: gone', 'Status: deinstall ok config-files']),
      stanza([
        'Package: app',
        'Status: install ok installed',
        'Depends: virt (>= 1), other (>= 3), gone, provider',
      ]),
    ].join('\n\n')}\n`
    const { packages } = parseDpkgStatus(status)
    const relations = dpkgRelations(status, '/var/lib/dpkg/status', packages)
    assert.equal(relations.nativeArch, 'amd64')
    assert.deepEqual(
      unsatisfiedRelations(relations.packages, relations.index).map((found) => found.relation.text),
      ['Depends: virt (>= 1)', 'Depends: gone'],
    )
  })
})
