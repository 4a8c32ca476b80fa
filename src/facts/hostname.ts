import { defineFact } from './define-fact.ts'

/** The name the fleet knows the host by: the kernel's on a live system, /etc/hostname in an offline root. */
export const hostname = defineFact({
  id: 'hostname',
  title: 'Host name',
  async collect({ host }): Promise<string> {
    const kernel = host.live ? await host.readText('/proc/sys/kernel/hostname') : undefined
    const configured = kernel ?? (await host.readText('/etc/hostname'))
    const name = configured
      ?.split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#'))
    return name ?? ''
  },
})
