import { type Host, openHost } from '../host/host.ts'
import { assertLinuxRoot, NotALinuxRootError } from '../host/validate-root.ts'
import { exitCodes, exitWithMessage } from './exit-codes.ts'

/** The host under `root`; undefined, after a usage error (exit 22), when `root` is not a Linux root. */
export async function openLinuxRoot(root: string): Promise<Host | undefined> {
  const host = openHost({ root })
  try {
    await assertLinuxRoot(host)
  } catch (error) {
    if (!(error instanceof NotALinuxRootError)) throw error
    exitWithMessage(error.message, exitCodes.invalidOption)
    return undefined
  }
  return host
}
