/**
 * `preflight verify` against the tools, on one file set: every package of this (dpkg) machine.
 * Warm cache (median of N runs, interleaved so a noisy neighbour hurts every tool alike):
 *   - preflight verify (the bundled CLI, start-up and database reading included)
 *   - dpkg --verify
 *   - md5sum over exactly the files both hash, one process (`xargs md5sum`) and one per core
 *     (`xargs -P`): what one process and what all cores reach with a plain MD5
 * Cold cache (page cache dropped before each run; needs root): preflight verify against reading the
 * same files with `xargs cat > /dev/null`.
 * Each run's CPU time (user + system, children included) and peak RSS come from GNU time: on a
 * shared machine wall times wander, CPU times much less.
 * Goals (issue 3): warm ≥ 2.5× faster than dpkg --verify and within 1.3× of the md5sum floor;
 * cold within 1.1× of just reading the files.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDpkgStatus } from '../src/facts/packages/dpkg/dpkg-status.ts'
import { dpkgVerifyPlan } from '../src/facts/packages/dpkg/dpkg-verify.ts'
import { openHost } from '../src/host/host.ts'
import { defaultRuns, formatTable, ms } from './measure.ts'

const repo = fileURLToPath(new URL('..', import.meta.url))
const bundle = path.join(repo, 'dist', 'preflight.mjs')
const gnuTime = '/usr/bin/time'

interface Tool {
  name: string
  /** A command, or a shell pipeline (the md5sum and cat baselines read a file list). */
  command: string[]
  shell?: boolean
}

interface Sample {
  ms: number
  /** User + system CPU seconds, children included; NaN without GNU time. */
  cpuSeconds: number
  /** Peak resident set of the largest process, KiB; NaN without GNU time. */
  rssKiB: number
}

function runOnce(tool: Tool): Sample {
  const command = tool.shell ? ['sh', '-c', tool.command.join(' ')] : tool.command
  const timed = existsSync(gnuTime) ? [gnuTime, '-f', '%U %S %M', ...command] : command
  const started = performance.now()
  const run = spawnSync(timed[0] as string, timed.slice(1), {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const elapsed = performance.now() - started
  // verify exits 1 when files changed; xargs exits 123 when md5sum met a missing file.
  const fine =
    run.status !== null && (tool.shell ? run.status !== 126 && run.status !== 127 : run.status <= 1)
  if (!fine) throw new Error(`${tool.name} failed (${run.status ?? run.signal}): ${run.stderr.slice(-500)}`)
  const [user, system, rss] = (run.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
  return { ms: elapsed, cpuSeconds: (user ?? Number.NaN) + (system ?? Number.NaN), rssKiB: rss ?? Number.NaN }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

function dropCaches(): boolean {
  try {
    execFileSync('sync')
    writeFileSync('/proc/sys/vm/drop_caches', '3\n')
    return true
  } catch {
    return false
  }
}

/** Runs every tool `runs` times, interleaved; the median of each measure by tool name. */
function rounds(tools: Tool[], runs: number, before?: () => void) {
  const samples = new Map<string, Sample[]>(tools.map((tool) => [tool.name, []]))
  for (let round = 0; round < runs; round++) {
    for (const tool of tools) {
      before?.()
      samples.get(tool.name)?.push(runOnce(tool))
    }
  }
  const of = (tool: Tool, measure: keyof Sample) =>
    median((samples.get(tool.name) ?? []).map((s) => s[measure]))
  return {
    ms: (tool: Tool) => of(tool, 'ms'),
    cpu: (tool: Tool) => of(tool, 'cpuSeconds'),
    peakRss: (tool: Tool) => Math.max(...(samples.get(tool.name) ?? []).map((s) => s.rssKiB)),
  }
}

const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`

export default async function verifyBench(): Promise<void> {
  if (!existsSync('/var/lib/dpkg/status') || !existsSync('/usr/bin/dpkg')) {
    process.stdout.write('skipped: this bench compares with dpkg --verify and needs a dpkg machine\n')
    return
  }
  execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' })

  // The file set both tools hash: every path with a recorded digest that is a regular file now.
  const host = openHost()
  const { packages } = parseDpkgStatus((await host.readText('/var/lib/dpkg/status')) ?? '')
  const plan = await dpkgVerifyPlan(host, packages)
  const hashed: string[] = []
  let listed = 0
  for await (const chunk of plan.entries) {
    listed += chunk.length
    for (const entry of chunk) if (entry.md5 !== undefined) hashed.push(entry.path)
  }
  const found = await host.inspectFiles(hashed, () => undefined)
  const files = hashed.filter((_, i) => found[i]?.stat?.kind === 'file')
  const bytes = found.reduce((sum, f) => sum + (f.stat?.kind === 'file' ? f.stat.size : 0), 0)

  const scratch = mkdtempSync(path.join(tmpdir(), 'preflight-verify-bench-'))
  try {
    const list = path.join(scratch, 'files.list')
    writeFileSync(list, `${files.join('\0')}\0`)
    const cores = availableParallelism()
    const ours: Tool = { name: 'preflight verify', command: [process.execPath, bundle, 'verify'] }
    const dpkg: Tool = { name: 'dpkg --verify', command: ['dpkg', '--verify'] }
    const md5: Tool = {
      name: 'md5sum, 1 process',
      command: [`xargs -0 md5sum < ${list} > /dev/null 2>&1`],
      shell: true,
    }
    const md5Parallel: Tool = {
      name: `md5sum, ${cores} processes`,
      command: [`xargs -0 -P ${cores} -n 64 md5sum < ${list} > /dev/null 2>&1`],
      shell: true,
    }
    const cat: Tool = {
      name: 'cat > /dev/null',
      command: [`xargs -0 cat < ${list} > /dev/null 2>&1`],
      shell: true,
    }
    const gib = bytes / 2 ** 30
    process.stdout.write(
      `${listed} listed paths of ${packages.length} packages; ${files.length} files hashed, ${gib.toFixed(2)} GiB; ${cores} cores\n\n`,
    )

    const runs = Math.min(defaultRuns(), 3)
    const tools = [ours, dpkg, md5, md5Parallel]
    rounds(tools, 1) // warm the page cache and the binaries
    const warm = rounds(tools, runs)
    const rows = tools.map((tool) => [
      tool.name,
      ms(warm.ms(tool)),
      `${warm.cpu(tool).toFixed(1)} s`,
      `${(bytes / 2 ** 20 / (warm.ms(tool) / 1000)).toFixed(0)} MiB/s`,
      times(warm.ms(tool), warm.ms(ours)),
    ])
    process.stdout.write(`Warm cache, median of ${runs}:\n`)
    process.stdout.write(`${formatTable(['tool', 'wall', 'CPU', 'throughput', 'vs preflight'], rows)}\n`)
    const rss = warm.peakRss(ours)
    process.stdout.write(
      [
        `preflight is ${times(warm.ms(dpkg), warm.ms(ours))} faster than dpkg --verify (goal ≥ 2.50×)`,
        `preflight takes ${times(warm.ms(ours), warm.ms(md5))} the time of one md5sum process (goal ≤ 1.30×)`,
        `preflight takes ${times(warm.ms(ours), warm.ms(md5Parallel))} the time of ${cores} md5sum processes`,
        `CPU: preflight ${times(warm.cpu(ours), warm.cpu(md5))} of md5sum's, dpkg ${times(warm.cpu(dpkg), warm.cpu(md5))}`,
        Number.isFinite(rss)
          ? `preflight peak RSS ${(rss / 1024).toFixed(0)} MiB`
          : 'peak RSS not measured (no GNU time)',
        '',
      ].join('\n'),
    )

    if (!dropCaches()) {
      process.stdout.write('Cold cache: not measured (dropping the page cache needs root)\n')
      return
    }
    const coldRuns = Number(process.env.PREFLIGHT_BENCH_COLD_RUNS) || 1
    const cold = rounds([ours, cat], coldRuns, dropCaches)
    process.stdout.write(`Cold cache (page cache dropped before each run), median of ${coldRuns}:\n`)
    const coldRows = [ours, cat].map((tool) => [
      tool.name,
      ms(cold.ms(tool)),
      `${cold.cpu(tool).toFixed(1)} s`,
    ])
    process.stdout.write(`${formatTable(['tool', 'wall', 'CPU'], coldRows)}\n`)
    process.stdout.write(
      `preflight takes ${times(cold.ms(ours), cold.ms(cat))} the time of reading the files (goal ≤ 1.10×)\n`,
    )
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
