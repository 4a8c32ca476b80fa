/**
 * @module
 * Service statuses, the sixth log the Preupgrade Assistant gathers: SysV services as
 * `chkconfig --list` shows them (EL6, Debian's /etc/init.d) and systemd unit files with the states
 * of `systemctl list-unit-files` (EL7+, Debian 8+). A host can have both; each part is absent
 * when the host has no such init system on disk.
 */
import type { ParseWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'
import { formatChkconfigList } from './services/format-chkconfig-list.ts'
import { type SystemdUnitFiles, systemdUnitFiles } from './services/systemd-unit-files.ts'
import { type SysvServices, sysvServices } from './services/sysv-services.ts'

export interface Services {
  sysv?: SysvServices
  /** The SysV part as `chkconfig --list` prints it, so facts.json carries PA's "Service statuses" log. */
  chkconfigList?: string
  systemd?: SystemdUnitFiles
  warnings: ParseWarning[]
}

export const services = defineFact({
  id: 'services',
  title: 'Service statuses',
  async collect({ host }): Promise<Services> {
    const warnings: ParseWarning[] = []
    const [sysv, systemd] = await Promise.all([
      sysvServices(host, warnings),
      systemdUnitFiles(host, warnings),
    ])
    warnings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
    return {
      ...(sysv ? { sysv, chkconfigList: formatChkconfigList(sysv) } : {}),
      ...(systemd ? { systemd } : {}),
      warnings,
    }
  },
})
