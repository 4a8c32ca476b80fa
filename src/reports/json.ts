/**
 * @module
 * The JSON report: the Assessment as it is, pretty-printed. Its format is documented field by
 * field in docs/report-format.md and read back by `report-schema.ts`.
 */
import type { Renderer } from './renderer.ts'

export const json: Renderer = {
  fileName: 'report.json',
  render(assessment) {
    return `${JSON.stringify(assessment, null, 2)}\n`
  },
}
