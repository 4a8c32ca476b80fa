/**
 * @module
 * Durations as written in the config file and shown by `status`: `500ms`, `2s`, `1.5s`, `5m`,
 * `1h`; a bare number is seconds (as in anycast-healthchecker's config).
 */

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim())
  if (!match) return undefined
  const value = Number(match[1]) * (units[match[2] ?? 's'] ?? 1000)
  return Number.isFinite(value) ? Math.round(value) : undefined
}

/** The shortest readable form: `250ms`, `2s`, `1.5s`, `3m20s`, `1h5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`
  const totalSeconds = Math.round(ms / 1000)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  if (hours > 0) return minutes > 0 ? `${hours}h${minutes}m` : `${hours}h`
  return seconds > 0 ? `${minutes}m${seconds}s` : `${minutes}m`
}
