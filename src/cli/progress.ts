/**
 * @module
 * Progress of an assessment on stderr, in the Preupgrade Assistant's words:
 *
 *     All users        : 04/10 ...finished (time 00:00s)
 *     001/100 ...done    (Configuration Files to Review)
 *
 * On a colour terminal a fact that reports progress() and is still running after a moment gets a
 * cli-progress bar; elsewhere (pipes, CI logs, NO_COLOR) only the plain lines are written.
 */
import cliProgress from 'cli-progress'
import { createColors } from 'picocolors'
import type { AssessObserver } from '../engine/assess.ts'
import type { AnyFact } from '../facts/define-fact.ts'
import { terminalText } from '../reports/terminal-text.ts'

export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

export interface ProgressOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** A fact gets a bar only when it is still running this long after it started. @default 300 */
  barDelayMs?: number
}

export interface Progress extends AssessObserver {
  /** Prints the closing line. */
  finished(totalMs: number): void
}

/** Colour (and bars) only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb. */
export function supportsColor(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb'
}

/** `(time 01:09s)` as the Preupgrade Assistant prints elapsed time. */
export function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}s`
}

function counter(done: number, total: number, minDigits: number): string {
  const digits = Math.max(minDigits, String(total).length)
  return `${String(done).padStart(digits, '0')}/${String(total).padStart(digits, '0')}`
}

export function progress(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  const color = supportsColor(stream, options.env ?? process.env)
  const c = createColors(color)
  const barDelayMs = options.barDelayMs ?? 300
  let titleWidth = 0
  let factTotal = 0
  let factsDone = 0
  const startedAt = new Map<string, number>()
  const bars = new Map<string, cliProgress.SingleBar>()
  let multibar: cliProgress.MultiBar | undefined

  // While bars are drawn, lines go through the multibar so they appear above the bars, in order.
  const print = (line: string) => {
    if (multibar) multibar.log(`${line}\n`)
    else stream.write(`${line}\n`)
  }

  const dropBar = (fact: AnyFact) => {
    const bar = bars.get(fact.id)
    if (!bar || !multibar) return
    bars.delete(fact.id)
    multibar.remove(bar)
    if (bars.size === 0) {
      multibar.stop()
      multibar = undefined
    }
  }

  const showBar = (fact: AnyFact, done: number, total: number) => {
    multibar ??= new cliProgress.MultiBar(
      {
        stream,
        barsize: 30,
        clearOnComplete: true,
        hideCursor: true,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    )
    const bar = multibar.create(
      total,
      done,
      {},
      { format: `${fact.title.padEnd(titleWidth)} : [{bar}] {value}/{total}` },
    )
    bars.set(fact.id, bar)
  }

  return {
    factsPlanned(facts) {
      factTotal = facts.length
      titleWidth = Math.max(0, ...facts.map((fact) => fact.title.length))
      print('Gathering facts:')
    },
    factStarted(fact) {
      startedAt.set(fact.id, performance.now())
    },
    factProgress(fact, done, total) {
      if (!color) return
      const bar = bars.get(fact.id)
      if (bar) {
        bar.setTotal(total)
        bar.update(done)
        return
      }
      const since = performance.now() - (startedAt.get(fact.id) ?? performance.now())
      if (since >= barDelayMs && done < total) showBar(fact, done, total)
    },
    factFinished(fact, timing) {
      dropBar(fact)
      factsDone++
      const head = `${fact.title.padEnd(titleWidth)} : ${counter(factsDone, factTotal, 2)} ...`
      const time = `(time ${elapsed(timing.ms)})`
      print(
        timing.error === undefined
          ? `${head}${c.green('finished')} ${time}`
          : `${head}${c.red('failed')} ${time}: ${terminalText(timing.error)}`,
      )
    },
    checksStarted(total) {
      print(total === 0 ? 'Running checks: none selected' : 'Running checks:')
    },
    checkFinished(result, index, total) {
      print(`${counter(index, total, 3)} ...done    (${result.title})`)
    },
    finished(totalMs) {
      print(`Assessment finished (time ${elapsed(totalMs)})`)
    },
  }
}
