/**
 * @module
 * The verify engine, format-neutral: it walks a database's expected file entries in order, asks
 * the host to lstat and hash them in parallel batches (`Host.inspectFiles`), and lets the rules
 * of rpm or dpkg judge each one. Memory stays bounded: a few batches are in flight at a time and
 * only the verdicts that report something are kept.
 */
import type { DigestAlgorithm, InspectedFile, InspectedStat } from '../../../host/file-inspector.ts'
import type { Host, HostPath } from '../../../host/host.ts'
import type { ParseWarning } from '../../../host/parse-error.ts'
import type { FileVerdict } from './file-verdict.ts'

export interface VerifyRules<E> {
  /**
   * The host path to look at (the stored bytes when they need not be UTF-8); undefined when the
   * entry needs no look at the disk (rpm's files that were never installed). `null` when the
   * entry names no path (a header whose file names are broken): it is judged as absent.
   */
  hostPath(entry: E): HostPath | undefined | null
  /** Whether to hash the file, once its lstat is known, and with which algorithm. */
  digestFor(entry: E, stat: InspectedStat): DigestAlgorithm | undefined
  /** The verdict on one entry, or undefined when the tool prints nothing for it. */
  judge(
    entry: E,
    found: InspectedFile | undefined,
  ): FileVerdict | undefined | Promise<FileVerdict | undefined>
}

export interface VerifyOptions {
  /** Called after each batch with the number of entries done. */
  progress?(done: number, total: number): void
}

/** What verifying a package database (or some of its packages) found. */
export interface PackageVerification {
  /** The lines the tool prints, in its order (packages in database order, files in list order). */
  verdicts: FileVerdict[]
  /** Selected names that match no installed package (the tools print a notice and exit 1). */
  notInstalled: string[]
  /** File entries looked at. */
  filesChecked: number
  /** Malformed database files and packages whose file lists could not be read. */
  warnings: ParseWarning[]
}

export interface PackageVerifyOptions extends VerifyOptions {
  /** Packages to verify, by name (or a fuller label the tool accepts); every package when absent. */
  select?: readonly string[]
  /** Only configuration files (rpm %config, dpkg conffiles): what `rpm -Va --configfiles` prints. @default false */
  configOnly?: boolean
}

/** Entries per host call: large enough to keep every worker busy, small enough to bound memory. */
const batchSize = 1024
/** Host calls in flight: while one batch is judged, the next ones are being read and hashed. */
const batchesInFlight = 8

/** Entries regrouped into numbered batches of `batchSize`, whatever the sizes of the chunks they arrive in. */
async function* batchesOf<E>(
  source: readonly E[] | AsyncIterable<readonly E[]>,
  counted: (entries: number) => void,
): AsyncGenerator<{ number: number; entries: E[] }> {
  let entries: E[] = []
  let number = 0
  const chunks = Array.isArray(source) ? [source as readonly E[]] : (source as AsyncIterable<readonly E[]>)
  for await (const chunk of chunks) {
    counted(chunk.length)
    for (const entry of chunk) {
      entries.push(entry)
      if (entries.length === batchSize) {
        yield { number: number++, entries }
        entries = []
      }
    }
  }
  if (entries.length > 0) yield { number, entries }
}

/**
 * The verdicts on the entries that report something, in entry order. `source` is an array, or
 * chunks (one package's files) produced while the first ones are already being checked, so reading
 * the database overlaps with hashing. Progress counts the entries known so far.
 */
export async function verifyFiles<E>(
  host: Host,
  source: readonly E[] | AsyncIterable<readonly E[]>,
  rules: VerifyRules<E>,
  options: VerifyOptions = {},
): Promise<FileVerdict[]> {
  const verdicts: FileVerdict[][] = []
  let known = 0
  let done = 0
  const batches = batchesOf(source, (count) => {
    known += count
  })

  const judgeBatch = async (slice: E[]): Promise<FileVerdict[]> => {
    const paths = slice.map((entry) => rules.hostPath(entry))
    const wanted: number[] = []
    const hostPaths: HostPath[] = []
    paths.forEach((p, i) => {
      if (p !== undefined && p !== null) {
        wanted.push(i)
        hostPaths.push(p)
      }
    })
    const found = await host.inspectFiles(hostPaths, (index, stat) =>
      rules.digestFor(slice[wanted[index] as number] as E, stat),
    )
    const byEntry: (InspectedFile | undefined)[] = paths.map((p) =>
      p === null ? { error: 'ENOENT' } : undefined,
    )
    wanted.forEach((entryIndex, i) => {
      byEntry[entryIndex] = found[i]
    })
    const judged: FileVerdict[] = []
    for (let i = 0; i < slice.length; i++) {
      const judging = rules.judge(slice[i] as E, byEntry[i])
      // Most judgements are synchronous: awaiting each would queue a microtask per file.
      const verdict = judging instanceof Promise ? await judging : judging
      if (verdict) judged.push(verdict)
    }
    return judged
  }

  // Each lane takes the next batch; an async generator answers concurrent next() calls in turn.
  let failed = false
  const lane = async () => {
    try {
      for (let next = await batches.next(); !next.done && !failed; next = await batches.next()) {
        const { number, entries } = next.value
        verdicts[number] = await judgeBatch(entries)
        done += entries.length
        options.progress?.(done, known)
      }
    } catch (error) {
      failed = true // the other lanes stop taking batches
      throw error
    }
  }
  await Promise.all(Array.from({ length: batchesInFlight }, lane))
  return verdicts.flat()
}
