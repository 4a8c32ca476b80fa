/**
 * @module
 * Reading the client probe's samples as lab.sh's `measure` does: from an event's time, the first
 * answer that comes from another site than before (timeouts and errors are lost queries, not
 * answers), how long that took, and how many queries were lost on the way.
 */
import type { ProbeSample } from './dns-probe.ts'

export interface SiteSwitch {
  /** Send time of the first query the new site answered. */
  at: number
  to: string
  /** From the event to that query. */
  afterMs: number
  /** Queries that timed out or failed between the event and the switch. */
  lost: number
}

export function isLost(sample: ProbeSample): boolean {
  return sample.answer === 'TIMEOUT' || sample.answer.startsWith('ERROR')
}

/** The first answer from a site other than `from` at or after `since`. */
export function findSwitch(
  samples: readonly ProbeSample[],
  since: number,
  from: string,
): SiteSwitch | undefined {
  let lost = 0
  for (const sample of samples) {
    if (sample.at < since) continue
    if (isLost(sample)) lost++
    else if (sample.answer !== from)
      return { at: sample.at, to: sample.answer, afterMs: sample.at - since, lost }
  }
  return undefined
}

/** Waits (polling the growing sample list) for `findSwitch`; undefined after `timeoutMs`. */
export async function waitForSwitch(
  samples: readonly ProbeSample[],
  since: number,
  from: string,
  timeoutMs: number,
): Promise<SiteSwitch | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = findSwitch(samples, since, from)
    if (found || Date.now() > deadline) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Answers (lost ones included) sent in [from, to). */
export function samplesBetween(samples: readonly ProbeSample[], from: number, to: number): ProbeSample[] {
  return samples.filter((sample) => sample.at >= from && sample.at < to)
}

/** Waits until the probe has `count` answers from `site` (the probe is up and the route settled). */
export async function waitForAnswers(
  samples: readonly ProbeSample[],
  site: string,
  count: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  const since = Date.now()
  while (Date.now() < deadline) {
    if (samples.filter((sample) => sample.at >= since && sample.answer === site).length >= count) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}
