import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * Runs `body` on a fresh offline root holding `files` (host path without the leading '/' → text),
 * optionally on top of a copy of a fixture root, and removes it afterwards.
 */
export async function withTempRoot<T>(
  files: Record<string, string>,
  body: (root: string) => Promise<T>,
  base?: string,
): Promise<T> {
  const root = await mkdtemp(path.join(tmpdir(), 'preflight-root-'))
  try {
    if (base) await cp(base, root, { recursive: true })
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true })
      await writeFile(path.join(root, file), text)
    }
    return await body(root)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
