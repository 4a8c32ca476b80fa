/**
 * Anycast failover in the lab of tools/anycast-lab (three sites, BIRD 2, NSD, BGP hold 9 s), with
 * preflight's anycast daemon as the checker and then with the lab's healthcheck.sh on the same
 * topology and the same check settings (every 0.5 s, fall 2, rise 3, hold-down 2 s). For each
 * event: time from the event to the first answer from another site, as the client probe (one
 * query every 20 ms, 100 ms time-out) sees it, and the queries lost meanwhile; next to the
 * figures the lab's README measured. Needs root, bird2, nsd and dnsutils.
 */
import {
  type AnycastLab,
  labUnavailable,
  startAnycastLab,
} from '../test/integration/anycast-lab/anycast-lab.ts'
import type { CheckerKind, SiteName } from '../test/integration/anycast-lab/lab-configs.ts'
import {
  type SiteSwitch,
  waitForAnswers,
  waitForSwitch,
} from '../test/integration/anycast-lab/probe-analysis.ts'
import { formatTable } from './measure.ts'

type EventName = 'drain' | 'undrain' | 'dns-failure' | 'recovery' | 'hang' | 'thaw' | 'hang-bfd'

/** What tools/anycast-lab/README.md measured on 2 cores. */
const labFigures: Record<EventName, string> = {
  drain: '4–27 ms, 0 lost (include + birdc configure)',
  undrain: '—',
  'dns-failure': '~1.1 s, ~11 lost (0.5 s × fall 2)',
  recovery: '—',
  hang: '6.4–7.8 s (hold 9 s)',
  thaw: '—',
  'hang-bfd': '0.3 s',
}

const eventTitles: Record<EventName, string> = {
  drain: 'planned drain',
  undrain: 'drain ended',
  'dns-failure': 'DNS server killed',
  recovery: 'DNS server restarted at once (hold-down 2 s, rise 3)',
  hang: 'node hung (SIGSTOP all), hold 9 s',
  thaw: 'node thawed',
  'hang-bfd': 'node hung, BFD 100 ms × 3',
}

const runs = Number(process.env.PREFLIGHT_BENCH_RUNS) > 0 ? Number(process.env.PREFLIGHT_BENCH_RUNS) : 3
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Results = Map<EventName, SiteSwitch[]>

/**
 * With one probe running: `away` should move the client from eu to another site, then `back`
 * bring it back to eu. Both times are measured from the moment each action starts.
 */
async function measureRoundTrip(
  lab: AnycastLab,
  away: () => Promise<unknown>,
  back: () => Promise<unknown>,
): Promise<[SiteSwitch, SiteSwitch]> {
  const probe = lab.startProbe()
  try {
    if (!(await waitForAnswers(probe.samples, 'eu', 10, 20_000)))
      throw new Error('the client does not reach eu')
    const leaving = Date.now()
    let left: SiteSwitch | undefined
    let returning = 0
    try {
      await away()
      left = await waitForSwitch(probe.samples, leaving, 'eu', 60_000)
    } finally {
      // Whatever happened, a frozen node is thawed and a stopped server restarted.
      returning = Date.now()
      await back().catch(() => undefined)
    }
    if (!left) throw new Error('the client never left eu')
    const returned = await waitForSwitch(probe.samples, returning, left.to, 60_000)
    if (!returned) throw new Error(`the client did not come back to eu from ${left.to}`)
    return [left, returned]
  } finally {
    await probe.stop()
  }
}

async function runEvents(checker: CheckerKind, bfd: boolean, events: readonly EventName[]): Promise<Results> {
  const results: Results = new Map()
  const record = (event: EventName, found: SiteSwitch) =>
    results.set(event, [...(results.get(event) ?? []), found])
  const lab = await startAnycastLab({ checker, timing: { bfd } })
  const eu: SiteName = 'eu'
  try {
    for (let run = 0; run < runs; run++) {
      if (events.includes('drain')) {
        const [drain, undrain] = await measureRoundTrip(
          lab,
          () => lab.drain(eu, 'control-socket'),
          () => lab.undrain(eu, 'control-socket'),
        )
        record('drain', drain)
        record('undrain', undrain)
      }
      if (events.includes('dns-failure')) {
        const [failure, recovery] = await measureRoundTrip(
          lab,
          () => lab.killNsd(eu),
          () => lab.startNsd(eu),
        )
        record('dns-failure', failure)
        record('recovery', recovery)
        // Let the flap penalty decay before the next round.
        await pause(4000)
      }
    }
    if (events.includes('hang')) {
      let frozen: number[] = []
      const [hang, thaw] = await measureRoundTrip(
        lab,
        async () => {
          frozen = await lab.freeze(eu)
        },
        async () => lab.thaw(frozen),
      )
      record('hang', hang)
      record('thaw', thaw)
    }
  } finally {
    await lab.stop()
  }
  return results
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function summary(found: SiteSwitch[] | undefined): { ms?: number; text: string } {
  if (!found || found.length === 0) return { text: '—' }
  const ms = median(found.map((f) => f.afterMs))
  const lost = found.map((f) => f.lost).join('/')
  const time = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
  return { ms, text: `${time}, lost ${lost}` }
}

export default async function anycastBench(): Promise<void> {
  const unavailable = labUnavailable()
  if (unavailable) {
    process.stdout.write(`skipped: ${unavailable}\n`)
    return
  }
  const all: readonly EventName[] = ['drain', 'dns-failure', 'hang']
  process.stdout.write(`runs per event: ${runs} (hang: 1); median time, lost queries per run\n`)
  const preflight = await runEvents('preflight', false, all)
  const shell = await runEvents('shell', false, all)
  const preflightBfd = await runEvents('preflight', true, ['hang'])
  preflight.set('hang-bfd', preflightBfd.get('hang') ?? [])
  const rows = (Object.keys(eventTitles) as EventName[]).map((event) => {
    const ours = summary(preflight.get(event))
    const theirs = summary(shell.get(event))
    const ratio = ours.ms && theirs.ms ? `${(theirs.ms / ours.ms).toFixed(1)}×` : '—'
    return [eventTitles[event], ours.text, theirs.text, ratio, labFigures[event]]
  })
  process.stdout.write(
    `${formatTable(['event', 'preflight anycast', 'healthcheck.sh', 'shell / preflight', 'lab README'], rows)}\n`,
  )
}
