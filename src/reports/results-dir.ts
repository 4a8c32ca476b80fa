/**
 * @module
 * The output directory, the only place assess writes:
 *
 *     DIR/latest/                                  report.json, report.html, facts.json of the last run
 *     DIR/results/preflight-results-<runId>.tar.gz the same files under preflight-results-<runId>/
 *
 * A run writes everything into a private staging directory inside DIR, packs the archive from it
 * and then swaps it in as `latest` with renames, so a reader sees the previous run or the new
 * one, never a mix. Nothing is written outside DIR.
 */
import { lstat, mkdir, mkdtemp, readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { AssessRun } from '../engine/assess.ts'
import type { Assessment } from '../engine/assessment.ts'
import type { Host } from '../host/host.ts'
import { factsJson } from './facts-json.ts'
import { renderers } from './index.ts'
import type { Renderer } from './renderer.ts'
import { parseReport } from './report-schema.ts'
import { archiveName, writeArchive } from './write-archive.ts'

export interface WrittenRun {
  /** The archive of this run. */
  archive: string
  /** The latest directory, now holding this run. */
  latest: string
}

export interface ResultsDir {
  readonly root: string
  readonly latest: string
  readonly results: string
  archivePath(runId: string): string
  write(run: AssessRun): Promise<WrittenRun>
  /** The last run's report, or undefined when there has been none. Throws ReportReadError when unreadable. */
  readLatest(): Promise<Assessment | undefined>
}

/**
 * Where results go without `-o`: `/var/lib/preflight` for root (beside other system state, as
 * the Preupgrade Assistant kept /root/preupgrade), otherwise `$XDG_STATE_HOME/preflight` with
 * the XDG default `~/.local/state`.
 */
export function defaultOutputDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
  home: string = os.homedir(),
): string {
  if (uid === 0) return '/var/lib/preflight'
  const state = env.XDG_STATE_HOME
  // The XDG spec says a relative value is invalid and must be ignored.
  const base = state && path.isAbsolute(state) ? state : path.join(home, '.local', 'state')
  return path.join(base, 'preflight')
}

export class OutputDirError extends Error {
  override readonly name = 'OutputDirError'
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Real path of a path that may not exist yet: its deepest existing ancestor resolved, the rest
 * appended. A dangling symlink is followed by hand, because mkdir would follow it too.
 */
async function realPathOf(target: string, hops = 0): Promise<string> {
  const missing: string[] = []
  let current = path.resolve(target)
  for (;;) {
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
      throw error
    })
    if (info) {
      const real = await realpath(current).catch(() => undefined)
      if (real !== undefined) return path.join(real, ...missing.reverse())
      if (info.isSymbolicLink()) {
        if (hops >= 40) throw new OutputDirError(`${target}: too many levels of symbolic links`)
        const linked = path.resolve(path.dirname(current), await readlink(current))
        return realPathOf(path.join(linked, ...missing.reverse()), hops + 1)
      }
    }
    const parent = path.dirname(current)
    if (parent === current) return path.join(current, ...missing.reverse())
    missing.push(path.basename(current))
    current = parent
  }
}

/**
 * Refuses an output directory that would write into the offline root being assessed (assess never
 * changes what it assesses), and a root inside the parts of the output directory a run replaces.
 */
export async function assertSafeOutputDir(
  outputDir: string,
  host: Pick<Host, 'root' | 'live'>,
): Promise<void> {
  if (host.live) return
  const output = await realPathOf(outputDir)
  const root = await realPathOf(host.root)
  // results/ may be a symlink of its own; latest/ is only ever renamed, never written through.
  for (const written of [output, await realPathOf(path.join(outputDir, 'results'))]) {
    if (isInside(written, root)) {
      throw new OutputDirError(
        `the output directory ${written} is inside the assessed root ${root}; assess never writes into the system it assesses: choose another -o`,
      )
    }
  }
  for (const managed of ['latest', 'results']) {
    if (isInside(root, path.join(output, managed))) {
      throw new OutputDirError(
        `the assessed root ${root} is inside ${path.join(output, managed)}, which each run replaces: choose another -o`,
      )
    }
  }
}

export function resultsDir(root: string): ResultsDir {
  const absolute = path.resolve(root)
  const latest = path.join(absolute, 'latest')
  const results = path.join(absolute, 'results')
  const archivePath = (runId: string) => path.join(results, `${archiveName(runId)}.tar.gz`)

  return {
    root: absolute,
    latest,
    results,
    archivePath,

    async write(run) {
      const { runId } = run.assessment
      // Private: facts name users, groups and configuration.
      await mkdir(results, { recursive: true, mode: 0o700 })
      const stage = await mkdtemp(path.join(absolute, '.staging-'))
      try {
        const top = path.join(stage, archiveName(runId))
        await mkdir(top, { mode: 0o700 })
        const files: [string, string][] = Object.values(renderers).flatMap((renderer: Renderer) =>
          renderer.fileName === undefined ? [] : [[renderer.fileName, renderer.render(run.assessment)]],
        )
        files.push(['facts.json', factsJson(run)])
        await Promise.all(files.map(([name, text]) => writeFile(path.join(top, name), text, { mode: 0o600 })))
        const archive = archivePath(runId)
        await writeArchive(stage, archiveName(runId), archive)

        const previous = path.join(stage, 'previous')
        const hadPrevious = await rename(latest, previous).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return false
            throw error
          },
        )
        try {
          await rename(top, latest)
        } catch (error) {
          if (hadPrevious) await rename(previous, latest)
          throw error
        }
        return { archive, latest }
      } finally {
        await rm(stage, { recursive: true, force: true })
      }
    },

    async readLatest() {
      const file = path.join(latest, 'report.json')
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
      return parseReport(text, file)
    },
  }
}
