/**
 * @module
 * What every report renderer is: a pure function from an Assessment to text. Renderers that name a
 * `fileName` are written into the latest directory and the results archive.
 */
import type { Assessment } from '../engine/assessment.ts'

export interface RenderOptions {
  /** ANSI colours (console renderers only). @default false */
  color?: boolean
  /** Terminal width in columns (console renderers only). @default 126, the Preupgrade Assistant's table width */
  width?: number
  /** 0: the essentials; 1 (-v): also solutions, messages and parse warnings; 2 (-vv): everything. @default 0 */
  verbose?: number
  /** Where the run's files went, for the console summary. */
  written?: { archive: string; latest: string }
}

export interface Renderer {
  /** File name in the latest directory and the archive; absent for console-only renderers. */
  readonly fileName?: string
  render(assessment: Assessment, options?: RenderOptions): string
}
