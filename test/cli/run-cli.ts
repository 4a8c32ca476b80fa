/**
 * Runs the real `preflight` CLI from source (node --import tsx src/cli/main.ts), as a user would,
 * with no terminal attached.
 */
import { execFile } from 'node:child_process'
import { lstat, readdir, readlink } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const main = path.join(repo, 'src', 'cli', 'main.ts')

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', main, ...args],
      { cwd: repo, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0
        if (code === undefined) reject(error)
        else resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Every entry under `dir` with what a write would change (type, mode, size, mtime, link target). */
export async function snapshotTree(dir: string): Promise<string[]> {
  const lines: string[] = []
  const walk = async (current: string) => {
    for (const name of (await readdir(current)).sort()) {
      const full = path.join(current, name)
      const info = await lstat(full)
      const target = info.isSymbolicLink() ? ` -> ${await readlink(full)}` : ''
      lines.push(`${path.relative(dir, full)} ${info.mode.toString(8)} ${info.size} ${info.mtimeMs}${target}`)
      if (info.isDirectory()) await walk(full)
    }
  }
  const top = await lstat(dir)
  lines.push(`. ${top.mode.toString(8)} ${top.mtimeMs}`)
  await walk(dir)
  return lines
}
