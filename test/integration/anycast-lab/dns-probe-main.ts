/**
 * @module
 * `node --import tsx dns-probe-main.ts TARGET [DURATION_MS [TIMEOUT_MS]]`: the probe as a process to
 * run in the lab's client namespace; one sample per line on stdout. Stops on SIGTERM or after
 * DURATION_MS.
 */
import { formatSample, runDnsProbe } from './dns-probe.ts'

const [target = '', duration = '300000', timeout = '100'] = process.argv.slice(2)
const stop = new AbortController()
process.on('SIGTERM', () => stop.abort())
await runDnsProbe(
  { target, durationMs: Number(duration), timeoutMs: Number(timeout) },
  (sample) => process.stdout.write(`${formatSample(sample)}\n`),
  stop.signal,
)
