import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { z } from 'zod'
import { sampleAssessment } from '../../test/helpers/sample-assessment.ts'
import type { Assessment } from '../engine/assessment.ts'
import { json } from './json.ts'
import { parseReport, ReportReadError, type reportSchema } from './report-schema.ts'

// Compile-time: every Assessment is a valid schema input (parseReport's return type checks the other way).
const asSchemaInput = (assessment: Assessment): z.input<typeof reportSchema> => assessment

function resultOf(report: Record<string, unknown>, index: number): Record<string, unknown> {
  return (report.results as Record<string, unknown>[])[index] as Record<string, unknown>
}

function mutated(change: (report: Record<string, unknown>) => void): string {
  const report = JSON.parse(json.render(sampleAssessment())) as Record<string, unknown>
  change(report)
  return JSON.stringify(report)
}

function rejects(text: string, reason: ReportReadError['reason'], message: RegExp) {
  assert.throws(
    () => parseReport(text, '/out/latest/report.json'),
    (error: unknown) =>
      error instanceof ReportReadError && error.reason === reason && message.test(error.message),
  )
}

describe('JSON report', () => {
  test('is the assessment, pretty-printed, and reads back to the same value', () => {
    const assessment = sampleAssessment()
    const text = json.render(assessment)
    assert.equal(json.fileName, 'report.json')
    assert.ok(text.endsWith('}\n'))
    assert.match(text, /^ {2}"schemaVersion": 1,$/m)
    assert.deepEqual(parseReport(text), asSchemaInput(assessment))
  })

  test('drops fields it does not know (a newer minor version may add some)', () => {
    const text = mutated((report) => {
      report.addedLater = { x: 1 }
      resultOf(report, 0).fix = { describe: 'later' }
    })
    const read = parseReport(text) as unknown as Record<string, unknown>
    assert.equal('addedLater' in read, false)
    assert.equal('fix' in resultOf(read, 0), false)
  })

  test('reads a check group it does not know (a newer preflight may add groups)', () => {
    const read = parseReport(
      mutated((report) => {
        resultOf(report, 0).group = 'storage'
      }),
    )
    assert.equal(read.results[0]?.group, 'storage')
    rejects(
      mutated((report) => {
        resultOf(report, 0).group = ''
      }),
      'invalid',
      /results\.0\.group/,
    )
  })

  test('refuses a report of a newer schema major, saying so', () => {
    rejects(
      mutated((report) => {
        report.schemaVersion = 2
        report.results = 'changed shape'
      }),
      'newer-schema',
      /report\.json: written with report schema 2, but this preflight reads schema 1: upgrade preflight/,
    )
  })

  test('refuses text that is not a preflight report, naming what is wrong', () => {
    rejects('{"schemaVersion": 1,', 'not-json', /^\/out\/latest\/report\.json: not JSON/)
    rejects('null', 'invalid', /not a preflight report/)
    rejects(
      mutated((report) => {
        report.schemaVersion = 0
      }),
      'invalid',
      /schemaVersion/,
    )
    rejects(
      mutated((report) => {
        resultOf(report, 1).status = 'broken'
      }),
      'invalid',
      /results\.1\.status/,
    )
    rejects(
      mutated((report) => {
        delete resultOf(report, 0).risks
      }),
      'invalid',
      /results\.0\.risks/,
    )
    rejects(
      mutated((report) => {
        ;(report.summary as Record<string, unknown>).exitCode = 3
      }),
      'invalid',
      /summary\.exitCode/,
    )
    rejects(
      mutated((report) => {
        report.runId = '2014-07-08'
      }),
      'invalid',
      /runId: expected YYMMDDHHMMSS/,
    )
    rejects(
      mutated((report) => {
        resultOf(report, 0).risks = [{ level: 'catastrophic', message: 'x' }]
      }),
      'invalid',
      /results\.0\.risks\.0\.level/,
    )
  })
})
