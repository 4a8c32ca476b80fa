/**
 * @module
 * Structured JSON logs (pino), one object per line with `event` and, where they apply, `service`,
 * `prefix`, `check` and `state`. They go to stdout, except with the ExaBGP backend, whose stdout
 * is ExaBGP's command channel: then they go to stderr.
 */
import pino, { type LevelWithSilent, type Logger } from 'pino'

export function createAnycastLogger(level: LevelWithSilent, fd: 1 | 2): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, component: 'preflight-anycast' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: fd, sync: true }),
  )
}
