/**
 * @module
 * Network namespaces for the anycast lab: created with a per-run prefix (`pflab<pid>-`), torn
 * down by stopping the processes inside them by PID, and stale ones of a crashed earlier run
 * (whose pid is gone) removed before a new run starts. Nothing here touches the host's own
 * network or any process outside these namespaces.
 */
import { execFile } from 'node:child_process'

export const namespacePrefix = 'pflab'

export function run(command: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`))
      else resolve(stdout)
    })
  })
}

export function inNamespace(namespace: string, command: string, ...args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', namespace, command, ...args])
}

export async function namespacePids(namespace: string): Promise<number[]> {
  const output = await run('ip', ['netns', 'pids', namespace]).catch(() => '')
  return output.split(/\s+/).filter(Boolean).map(Number)
}

/** The command name of a process (`nsd`, `bird`), undefined when it is gone. */
export async function processName(pid: number): Promise<string | undefined> {
  return run('cat', [`/proc/${pid}/comm`]).then(
    (name) => name.trim(),
    () => undefined,
  )
}

export function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name)
    } catch {
      // already gone
    }
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops every process in the namespace (continuing stopped ones first), then deletes it. */
export async function deleteNamespace(namespace: string): Promise<void> {
  let pids = await namespacePids(namespace)
  signal(pids, 'SIGCONT')
  signal(pids, 'SIGTERM')
  for (let attempt = 0; attempt < 30 && pids.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    pids = await namespacePids(namespace)
  }
  signal(pids, 'SIGKILL')
  await run('ip', ['netns', 'del', namespace]).catch(() => undefined)
}

/** Namespaces of earlier lab runs whose test process no longer exists. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const listed = await run('ip', ['netns', 'list'])
  const stale = listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const owner = new RegExp(`^${namespacePrefix}(\\d+)-`).exec(name)?.[1]
      return owner !== undefined && Number(owner) !== process.pid && !alive(Number(owner))
    })
  for (const name of stale) await deleteNamespace(name)
  return stale
}
