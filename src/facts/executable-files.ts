/**
 * @module
 * The executables among the files no package owns (the Preupgrade Assistant's "All executable
 * files", which its BinariesRebuild module split into ELF binaries and scripts): a binary links
 * against the old release's libraries and may need a rebuild, a script names an interpreter the
 * new release may not have (/usr/bin/python on EL8).
 */
import { defineFact } from './define-fact.ts'
import { localFiles } from './local-files.ts'

/** Files up to this size are read to tell a binary from a script; the Host reads whole files. */
const maxReadBytes = 4 * 1024 * 1024

export interface ExecutableFile {
  path: string
  size: number
  /** ELF binary, script (#!), other content, or too large to read here. */
  type: 'elf' | 'script' | 'other' | 'unread'
  /** The #! line's interpreter and its argument, for scripts ('/usr/bin/python2', '/usr/bin/env python'). */
  interpreter?: string
}

export interface ExecutableFiles {
  /** Every not-owned executable the walk found (the list below may be shorter). */
  count: number
  files: ExecutableFile[]
  /** False when the walk behind it stopped early. */
  complete: boolean
}

function classifyExecutable(head: Buffer): Pick<ExecutableFile, 'type' | 'interpreter'> {
  if (head.length >= 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return { type: 'elf' }
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    const end = head.indexOf(0x0a)
    const interpreter = head
      .toString('utf8', 2, end < 0 ? Math.min(head.length, 256) : end)
      .trim()
      .replace(/\s+/g, ' ')
    return interpreter ? { type: 'script', interpreter } : { type: 'script' }
  }
  return { type: 'other' }
}

export const executableFiles = defineFact({
  id: 'executableFiles',
  title: 'All executable files',
  needs: { localFiles },
  async collect({ host }, { localFiles: local }): Promise<ExecutableFiles> {
    const files: ExecutableFile[] = []
    for (const entry of local.executables.listed) {
      const size = entry.size ?? 0
      if (size > maxReadBytes) {
        files.push({ path: entry.path, size, type: 'unread' })
        continue
      }
      const content = await host.readBytes(entry.path)
      if (content === undefined) continue
      files.push({ path: entry.path, size, ...classifyExecutable(content.subarray(0, 512)) })
    }
    return { count: local.executables.count, files, complete: local.complete }
  },
})
