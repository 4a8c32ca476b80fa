/**
 * @module
 * A real BIRD 2 for tests to ask, as an oracle: started with its own control socket and pidfile
 * inside a network namespace this helper creates (lo up, no other link), so whatever the config
 * says, nothing reaches the host's network. `stop()` kills it and deletes the namespace.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface RunningBird {
  readonly namespace: string
  /** `birdc -s SOCKET COMMAND…` output. */
  birdc(...command: string[]): Promise<string>
  stop(): Promise<void>
}

/** Why a test cannot create network namespaces here (not root, no iproute2), or undefined when it can. */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'needs iproute2 installed'
  }
  return undefined
}

/** Why BIRD cannot run here (not root, no bird), or undefined when it can. */
export function birdUnavailable(): string | undefined {
  const namespaces = namespacesUnavailable()
  if (namespaces) return namespaces
  try {
    execFileSync('bird', ['--version'], { stdio: 'ignore' })
  } catch {
    return 'needs bird2 installed'
  }
  return undefined
}

/** Runs a program (10 s limit) and gives its stdout; rejects with its stderr when it fails. */
export function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`))
      else resolve(stdout)
    })
  })
}

let counter = 0

export async function startRunningBird(config: string): Promise<RunningBird> {
  const namespace = `pfbird-${process.pid}-${++counter}`
  const directory = await mkdtemp(path.join(tmpdir(), 'preflight-bird-'))
  const socket = path.join(directory, 'bird.ctl')
  const pidfile = path.join(directory, 'bird.pid')
  const configFile = path.join(directory, 'bird.conf')
  await writeFile(configFile, config)
  await run('ip', ['netns', 'add', namespace])
  const stop = async () => {
    const pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim())
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    await run('ip', ['netns', 'del', namespace]).catch(() => undefined)
    await rm(directory, { recursive: true, force: true })
  }
  try {
    await run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    await run('ip', ['netns', 'exec', namespace, 'bird', '-c', configFile, '-s', socket, '-P', pidfile])
    const birdc = (...command: string[]) => run('birdc', ['-s', socket, ...command])
    for (let attempt = 0; attempt < 100; attempt++) {
      if (
        await birdc('show', 'status').then(
          (out) => /Daemon is up and running/.test(out),
          () => false,
        )
      )
        break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return { namespace, birdc, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
