/**
 * @module
 * Replaces a file so readers see the old or the new content, never a mix: write a temporary file
 * in the same directory, fsync it, rename it over the target, fsync the directory (so the rename
 * survives a crash).
 */
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`)
  try {
    const handle = await open(temporary, 'w', mode)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
  const directory = await open(path.dirname(file), 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}
