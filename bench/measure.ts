/**
 * @module
 * Helpers for bench files: time a piece of work N times and print aligned tables. A bench file
 * is `bench/<name>.bench.ts` with a default-exported async function that prints its own results;
 * `npm run bench` (bench/run.ts) finds and runs them.
 */

export interface Timing {
  runs: number
  /** The first run alone: cold caches, JIT not warm (what a one-off CLI run feels like). */
  firstMs: number
  medianMs: number
  minMs: number
  maxMs: number
}

/**
 * Runs `work` `runs` times, one after the other, and summarises the wall-clock times.
 * @default runs 10 (PREFLIGHT_BENCH_RUNS overrides it)
 */
export async function measure(work: () => unknown, runs = defaultRuns()): Promise<Timing> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  const sorted = [...times].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
  return {
    runs,
    firstMs: times[0] ?? 0,
    medianMs: median,
    minMs: sorted[0] ?? 0,
    maxMs: sorted[sorted.length - 1] ?? 0,
  }
}

export function defaultRuns(): number {
  const fromEnv = Number(process.env.PREFLIGHT_BENCH_RUNS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 10
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`
}

/** The cells of a timing under the header `runs, first, median, min, max`. */
export function timingCells(timing: Timing): string[] {
  return [String(timing.runs), ms(timing.firstMs), ms(timing.medianMs), ms(timing.minMs), ms(timing.maxMs)]
}

/** Left-aligned first column, right-aligned others, a rule under the header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}
