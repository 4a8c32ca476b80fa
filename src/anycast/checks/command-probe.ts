/**
 * @module
 * Command check: `/bin/sh -c COMMAND`, healthy on exit status 0. The command runs in its own
 * process group so a time-out kills it and everything it started, and no check leaves children
 * piling up behind it.
 */
import { spawn } from 'node:child_process'
import type { ProbeConfig } from '../config/anycast-config.ts'
import { failed, type Probe, passed } from './probe.ts'

type CommandProbeConfig = Extract<ProbeConfig, { type: 'command' }>

const keptOutputBytes = 400

export function commandProbe(config: CommandProbeConfig): Probe {
  return (signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason)
        return
      }
      const child = spawn('/bin/sh', ['-c', config.command], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-keptOutputBytes)
      }
      child.stdout.on('data', keep)
      child.stderr.on('data', keep)
      const onAbort = () => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL')
          } catch {
            // the group is already gone
          }
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      child.on('error', (error) => {
        signal.removeEventListener('abort', onAbort)
        resolve(failed(`cannot run /bin/sh: ${error.message}`))
      })
      child.on('close', (code, exitSignal) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) {
          reject(signal.reason)
          return
        }
        const tail = output.trim().split('\n').at(-1) ?? ''
        if (code === 0) resolve(passed(tail ? `exit 0: ${tail}` : 'exit 0'))
        else
          resolve(
            failed(`${exitSignal ? `killed by ${exitSignal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`),
          )
      })
    })
}
