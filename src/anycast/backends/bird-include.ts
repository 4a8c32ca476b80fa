/**
 * @module
 * The BIRD include file the daemon owns: one function that says which anycast prefixes may be
 * exported. bird.conf calls it in the export filter of its BGP protocols (docs/anycast.md). The
 * text depends only on the intents, so an unchanged state yields an identical file and no reload.
 * Plain `function name()` without a return type: Debian 12's BIRD 2.0.12 rejects typed functions.
 */
import type { RouteIntent } from './routing-backend.ts'

export function renderBirdInclude(
  functionName: string,
  intents: readonly RouteIntent[],
  source: string,
): string {
  const announced = intents.filter((intent) => intent.announce)
  const withdrawn = intents.filter((intent) => !intent.announce)
  const list = (group: readonly RouteIntent[]) =>
    group.length === 0
      ? ' none'
      : group
          .map((intent) => ` ${intent.service} (${intent.prefixes.map((prefix) => prefix.text).join(' ')})`)
          .join(',')
  const lines = [
    `# Written by preflight anycast (${source}). Do not edit: the daemon rewrites this file`,
    '# whenever a service is announced or withdrawn.',
    `# announced:${list(announced)}`,
    `# withdrawn:${list(withdrawn)}`,
    `function ${functionName}()`,
    '{',
  ]
  for (const intent of announced) {
    lines.push(`  # ${intent.service}`)
    // A BIRD prefix set holds one address family, so IPv4 and IPv6 get separate tests.
    for (const family of [4, 6] as const) {
      const prefixes = intent.prefixes
        .filter((prefix) => prefix.family === family)
        .map((prefix) => prefix.text)
      if (prefixes.length > 0) lines.push(`  if net ~ [ ${prefixes.join(', ')} ] then return true;`)
    }
  }
  lines.push('  return false;', '}', '')
  return lines.join('\n')
}
