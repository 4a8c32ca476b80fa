/**
 * @module
 * Host paths with their symbolic links resolved, through the Host's lstat and readLink (the live
 * Host leaves resolution to the kernel and so cannot say where a link leads), so a path a package
 * lists (/etc/init.d/network) compares with the path a directory walk finds
 * (/etc/rc.d/init.d/network), on the live system and in offline roots alike.
 */
import path from 'node:path'
import type { Host } from '../../host/host.ts'

/** As Linux's MAXSYMLINKS: a longer chain is a loop, and the path is left as it is. */
const maxHops = 40

export class HostPathResolver {
  /** Finished resolutions by host path: the walk and the package lists share many directories. */
  private readonly resolved = new Map<string, string>()

  constructor(private readonly host: Host) {}

  /** `hostPath` with every component's link resolved inside the root; components that do not exist are kept. */
  async resolve(hostPath: string): Promise<string> {
    const hops = { left: maxHops }
    return this.resolveWithin(path.posix.resolve('/', hostPath), hops)
  }

  private async resolveWithin(hostPath: string, hops: { left: number }): Promise<string> {
    if (hostPath === '/') return '/'
    const known = this.resolved.get(hostPath)
    if (known !== undefined) return known
    const parent = await this.resolveWithin(path.posix.dirname(hostPath), hops)
    const next = path.posix.join(parent, path.posix.basename(hostPath))
    let real = next
    if (hops.left > 0 && (await this.host.lstat(next))?.kind === 'symlink') {
      const target = await this.host.readLink(next)
      hops.left--
      // '..' at the root stays at the root, as the kernel (and the Host) resolve it
      if (target !== undefined) real = await this.resolveWithin(path.posix.resolve(parent, target), hops)
    }
    // a chain cut short by the hop limit (a loop) is not remembered as an answer
    if (hops.left > 0) this.resolved.set(hostPath, real)
    return real
  }
}
