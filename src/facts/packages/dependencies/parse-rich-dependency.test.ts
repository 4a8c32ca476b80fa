import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseRichDependency } from './parse-rich-dependency.ts'
import { type CapabilityIndex, type DependentPackage, unsatisfiedRelations } from './unsatisfied-relations.ts'

describe('parseRichDependency', () => {
  test('reads nested operators, versions and names with parentheses', () => {
    assert.deepEqual(parseRichDependency('(libc.so.6()(64bit) or (python3dist(foo) >= 1.0 with foo-cli))'), {
      op: 'or',
      operands: [
        { op: 'capability', capability: { name: 'libc.so.6()(64bit)' } },
        {
          op: 'with',
          operands: [
            { op: 'capability', capability: { name: 'python3dist(foo)', relation: '>=', version: '1.0' } },
            { op: 'capability', capability: { name: 'foo-cli' } },
          ],
        },
      ],
    })
    assert.deepEqual(parseRichDependency('(a if b else c)'), {
      op: 'if',
      body: { op: 'capability', capability: { name: 'a' } },
      condition: { op: 'capability', capability: { name: 'b' } },
      otherwise: { op: 'capability', capability: { name: 'c' } },
    })
    assert.deepEqual(parseRichDependency('(a >= 1:2.0-3 and b and c)'), {
      op: 'and',
      operands: [
        { op: 'capability', capability: { name: 'a', relation: '>=', version: '1:2.0-3' } },
        { op: 'capability', capability: { name: 'b' } },
        { op: 'capability', capability: { name: 'c' } },
      ],
    })
  })

  test('refuses what rpm refuses', () => {
    for (const text of [
      '(a and b or c)',
      '(a xor b)',
      '(a or b',
      'a or b',
      '(a >= )',
      '(a if b else c else d)',
    ])
      assert.ok('error' in parseRichDependency(text), text)
  })
})

describe('unsatisfiedRelations on rich dependencies', () => {
  // Three installed packages: 'base' provides base and api, 'data' provides data.
  interface Pkg extends DependentPackage {
    provides: string[]
  }
  const installed: Pkg[] = [
    { label: 'base', provides: ['base', 'api'], relations: [] },
    { label: 'data', provides: ['data'], relations: [] },
  ]
  const index: CapabilityIndex<Pkg> = {
    providers: (request) => new Set(installed.filter((pkg) => pkg.provides.includes(request.name))),
  }
  const cases: [string, boolean][] = [
    ['(base or nothing)', true],
    ['(nothing or none)', false],
    ['(base and data)', true],
    ['(base and nothing)', false],
    ['(nothing if data)', false],
    ['(nothing if none)', true],
    ['(base if data else nothing)', true],
    ['(base if none else nothing)', false],
    ['(nothing unless data)', true],
    ['(nothing unless none)', false],
    ['(base unless data else nothing)', false],
    ['(base with api)', true],
    ['(base with data)', false],
    ['(base without api)', false],
    ['(data without api)', true],
  ]
  for (const [text, met] of cases) {
    test(`${text} is ${met ? 'met' : 'unmet'}`, () => {
      const requirement = parseRichDependency(text)
      assert.ok(!('error' in requirement))
      const requirer: Pkg = {
        label: 'client',
        provides: [],
        relations: [{ field: 'requires', requirement, text }],
      }
      assert.equal(unsatisfiedRelations([requirer], index).length === 0, met)
    })
  }

  test('names what is missing, not what a condition looked for', () => {
    const requirement = parseRichDependency('((nothing or none) if data)')
    assert.ok(!('error' in requirement))
    const requirer: Pkg = {
      label: 'client',
      provides: [],
      relations: [{ field: 'requires', requirement, text: '' }],
    }
    assert.deepEqual(
      unsatisfiedRelations([requirer], index)[0]?.missing.map((capability) => capability.name),
      ['nothing', 'none'],
    )
  })
})
