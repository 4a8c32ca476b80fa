/**
 * @module
 * Maintenance drains. A drain is a file: the daemon's drain file drains every service, a
 * service's drain file drains that one. Files survive a restart of the daemon (a drained node
 * stays drained), and an operator can drain with `touch` alone. `drain`/`undrain` from the
 * control socket or a signal create and remove those files; when a file cannot be created the
 * drain still holds for the life of the process (reported as `control`).
 */
import { stat, unlink, writeFile } from 'node:fs/promises'

export const allServices = '*'

export class DrainState {
  private readonly present = new Set<string>()
  private readonly inMemory = new Set<string>()

  constructor(
    private readonly globalFile: string,
    private readonly serviceFiles: ReadonlyMap<string, string>,
  ) {}

  private fileOf(service: string): string | undefined {
    return service === allServices ? this.globalFile : this.serviceFiles.get(service)
  }

  /** Re-reads which drain files exist; true when that changed. */
  async refresh(): Promise<boolean> {
    let changed = false
    for (const file of [this.globalFile, ...this.serviceFiles.values()]) {
      const exists = await stat(file).then(
        () => true,
        () => false,
      )
      if (exists !== this.present.has(file)) {
        changed = true
        if (exists) this.present.add(file)
        else this.present.delete(file)
      }
    }
    return changed
  }

  /** Why the service is drained (`file PATH` or `control`), or undefined. */
  drainedBy(service: string): string | undefined {
    for (const key of [allServices, service]) {
      const file = this.fileOf(key)
      if (file && this.present.has(file)) return `file ${file}`
      if (this.inMemory.has(key)) return 'control'
    }
    return undefined
  }

  /** Drains `service` (or every service with `*`); returns a warning when the drain could not be made persistent. */
  async drain(service: string, by: string): Promise<string | undefined> {
    const file = this.fileOf(service)
    if (!file) throw new Error(`unknown service '${service}'`)
    try {
      await writeFile(file, `drained by ${by} at ${new Date().toISOString()}\n`, { flag: 'w' })
      this.present.add(file)
      return undefined
    } catch (error) {
      this.inMemory.add(service)
      return `cannot create ${file} (${(error as Error).message}): drained until the daemon stops`
    }
  }

  async undrain(service: string): Promise<void> {
    const file = this.fileOf(service)
    if (!file) throw new Error(`unknown service '${service}'`)
    this.inMemory.delete(service)
    try {
      await unlink(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    this.present.delete(file)
  }
}
