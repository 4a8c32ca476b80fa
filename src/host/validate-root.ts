import { stat } from 'node:fs/promises'
import type { Host } from './host.ts'

/** Raised before any gathering when --root does not point at something a check could read. */
export class NotALinuxRootError extends Error {
  override readonly name = 'NotALinuxRootError'
  constructor(
    readonly root: string,
    detail: string,
  ) {
    super(`${root} does not look like a Linux root: ${detail}`)
  }
}

/**
 * A Linux root has /etc and at least one of the usual system directories. Checking this first turns
 * a typo in --root into one clear error instead of a table of "notapplicable".
 */
export async function assertLinuxRoot(host: Host): Promise<void> {
  const top = await stat(host.root).catch(() => undefined)
  if (!top) throw new NotALinuxRootError(host.root, 'no such directory')
  if (!top.isDirectory()) throw new NotALinuxRootError(host.root, 'not a directory')
  const etc = await host.stat('/etc')
  if (etc?.kind !== 'directory') throw new NotALinuxRootError(host.root, 'it has no /etc directory')
  const markers = ['/usr', '/bin', '/var', '/lib']
  const present = await Promise.all(markers.map(async (dir) => (await host.stat(dir))?.kind === 'directory'))
  if (!present.some(Boolean)) {
    throw new NotALinuxRootError(host.root, `it has none of ${markers.join(', ')}`)
  }
}
