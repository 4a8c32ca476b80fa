/**
 * @module
 * preflight's own anycast daemon configuration (/etc/preflight/anycast.conf, docs/anycast.md),
 * read with the daemon's parser. When it exists it says which prefixes are anycast, how their
 * addresses get on the loopback and which BIRD function gates their export.
 */
import type { AnycastConfig } from '../anycast/config/anycast-config.ts'
import { parseAnycastConfig } from '../anycast/config/anycast-config.ts'
import type { ParseWarning } from '../host/parse-error.ts'
import { toWarning } from '../host/parse-error.ts'
import { defineFact } from './define-fact.ts'

export interface AnycastDaemonConfig {
  /** Set when the file exists. */
  path?: string
  /** Undefined when the file is absent or invalid (the daemon would refuse to start). */
  config?: AnycastConfig
  warnings: ParseWarning[]
}

/** The path docs/anycast.md installs and `preflight anycast run --config` is given. */
const anycastDaemonConfigPath = '/etc/preflight/anycast.conf'

export const anycastDaemonConfig = defineFact({
  id: 'anycastDaemonConfig',
  title: 'preflight anycast daemon configuration',
  async collect({ host }): Promise<AnycastDaemonConfig> {
    const text = await host.readText(anycastDaemonConfigPath)
    if (text === undefined) return { warnings: [] }
    const { config, errors } = parseAnycastConfig(text, anycastDaemonConfigPath)
    return { path: anycastDaemonConfigPath, ...(config ? { config } : {}), warnings: errors.map(toWarning) }
  },
})
