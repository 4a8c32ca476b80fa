/**
 * How long `preflight assess` takes: the engine in-process (median of N runs) on this machine and
 * on a fixture root, and the bundled CLI end to end (`node dist/preflight.mjs assess -o tmp`),
 * which adds start-up, rendering and writing the results. Goal: well under 2 s on a typical host.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { allChecks } from '../src/checks/index.ts'
import { assess } from '../src/engine/assess.ts'
import { openHost } from '../src/host/host.ts'
import { formatTable, measure, type Timing, timingCells } from './measure.ts'

const goalMs = 2000
const repo = fileURLToPath(new URL('..', import.meta.url))
const fixtureRoot = path.join(repo, 'test', 'fixtures', 'roots', 'centos65-blog')

function bundledAssess(args: readonly string[]): () => void {
  return () => {
    const run = spawnSync(
      process.execPath,
      [path.join(repo, 'dist', 'preflight.mjs'), 'assess', '-q', ...args],
      {
        encoding: 'utf8',
      },
    )
    // 0, 1 and 2 are the assessed risk; anything else means the run itself failed.
    if (run.status === null || run.status > 2)
      throw new Error(`preflight assess ${args.join(' ')}: ${run.stderr}`)
  }
}

export default async function assessBench(): Promise<void> {
  if (!existsSync(fixtureRoot)) throw new Error(`fixture root ${fixtureRoot} is missing`)
  // The CLI rows time the bundle of the current sources.
  execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' })
  const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-assess-bench-'))
  try {
    const cases: [string, () => unknown][] = [
      ['assess() in-process, this machine (/)', () => assess(openHost(), allChecks)],
      [
        'assess() in-process, fixture root centos65-blog',
        () => assess(openHost({ root: fixtureRoot }), allChecks),
      ],
      ['CLI bundle: assess -o tmp, this machine', bundledAssess(['-o', path.join(scratch, 'live')])],
      [
        'CLI bundle: assess --root centos65-blog -o tmp',
        bundledAssess(['--root', fixtureRoot, '-o', path.join(scratch, 'fixture')]),
      ],
    ]
    const rows: string[][] = []
    for (const [name, work] of cases) {
      const timing: Timing = await measure(work)
      rows.push([name, ...timingCells(timing), timing.medianMs < goalMs ? 'ok' : 'OVER'])
    }
    const { assessment } = await assess(openHost(), allChecks)
    console.log(formatTable(['case', 'runs', 'first', 'median', 'min', 'max', `< ${goalMs} ms`], rows))
    console.log(
      `\nCatalogue: ${allChecks.length} checks; on this machine ${assessment.timings.facts.length} facts were gathered.`,
    )
    console.log(
      'Peer tool: none on this machine. preupg (the Preupgrade Assistant) runs only on RHEL/CentOS 6 with\n' +
        "OpenSCAP; the seed's run spent 01:09s in its 'All changed files' step (rpm -Va) alone.",
    )
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
