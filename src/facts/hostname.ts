import { defineFact } from './define-fact.ts'

function firstMeaningfulLine(text: string | undefined): string | undefined {
  return text
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('#'))
}

/** EL6 and older keep the name in /etc/sysconfig/network (HOSTNAME=), not /etc/hostname. */
function sysconfigHostname(text: string | undefined): string | undefined {
  const line = text?.split('\n').find((l) => /^\s*HOSTNAME\s*=/.test(l))
  return line
    ?.slice(line.indexOf('=') + 1)
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
}

/**
 * The name the fleet knows the host by: the kernel's on a live system; in an offline root the
 * configured one, where each distribution family keeps it.
 */
export const hostname = defineFact({
  id: 'hostname',
  title: 'Host name',
  async collect({ host }): Promise<string> {
    if (host.live) {
      const kernel = firstMeaningfulLine(await host.readText('/proc/sys/kernel/hostname'))
      if (kernel) return kernel
    }
    return (
      firstMeaningfulLine(await host.readText('/etc/hostname')) ||
      sysconfigHostname(await host.readText('/etc/sysconfig/network')) ||
      firstMeaningfulLine(await host.readText('/etc/HOSTNAME')) ||
      ''
    )
  },
})
