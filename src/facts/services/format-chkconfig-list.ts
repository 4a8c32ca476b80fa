/**
 * @module
 * `chkconfig --list` output rebuilt from the SysV services fact, byte for byte as chkconfig 1.3 on
 * EL6 prints it (printf "%-15s" and "\t%d:%s" per runlevel, then "\t%-15s\t%s" per xinetd service),
 * so the results archive carries the same "Service statuses" log the Preupgrade Assistant kept.
 */
import type { SysvServices } from './sysv-services.ts'

function onOff(on: boolean): string {
  return on ? 'on' : 'off'
}

/**
 * Only scripts chkconfig manages (a header, and a link in some runlevel) are listed; the xinetd
 * section follows only when the xinetd service itself is on in some runlevel, as chkconfig does.
 */
export function formatChkconfigList(sysv: SysvServices): string {
  let text = ''
  for (const service of sysv.services) {
    if (!service.header || !service.configured) continue
    const levels = service.runlevels.map((on, level) => `\t${level}:${onOff(on)}`).join('')
    text += `${service.name.padEnd(15)}${levels}\n`
  }
  const xinetd = sysv.services.find((service) => service.name === 'xinetd')
  if (xinetd?.header && xinetd.runlevels.some(Boolean)) {
    text += '\nxinetd based services:\n'
    for (const service of sysv.xinetd ?? [])
      text += `\t${`${service.name}:`.padEnd(15)}\t${onOff(service.enabled)}\n`
  }
  return text
}
