/**
 * @module
 * Every metric the daemon exports, in one place (names and help texts are part of the interface
 * operators build dashboards on; docs/anycast.md lists them).
 */
import { MetricsRegistry } from './metrics-registry.ts'

/** Seconds; fine at the low end, where local DNS and TCP checks answer. */
const checkDurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createAnycastMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    serviceUp: registry.gauge(
      'preflight_anycast_service_up',
      '1 while the service is healthy under its require policy.',
    ),
    serviceState: registry.gauge(
      'preflight_anycast_service_state',
      '1 for the current state of the service (starting, up, down, held, drained), 0 for the others.',
    ),
    serviceDrained: registry.gauge(
      'preflight_anycast_service_drained',
      '1 while the service is drained (maintenance).',
    ),
    servicePenalty: registry.gauge(
      'preflight_anycast_service_penalty',
      'Current (decayed) flap penalty of the service.',
    ),
    serviceHoldDown: registry.gauge(
      'preflight_anycast_service_hold_down_seconds',
      'Seconds until a suppressed service may be announced again (0 when not suppressed).',
    ),
    transitions: registry.counter('preflight_anycast_state_transitions_total', 'Service state changes.'),
    checkUp: registry.gauge(
      'preflight_anycast_check_up',
      '1 while the check is up (after rise), 0 otherwise.',
    ),
    checkResults: registry.counter(
      'preflight_anycast_check_results_total',
      'Check rounds by result (ok, fail).',
    ),
    checkTimeouts: registry.counter(
      'preflight_anycast_check_timeouts_total',
      'Check attempts that hit their time-out.',
    ),
    checkDuration: registry.histogram(
      'preflight_anycast_check_duration_seconds',
      'Duration of check rounds (all tries).',
      checkDurationBuckets,
    ),
    prefixAnnounced: registry.gauge(
      'preflight_anycast_prefix_announced',
      '1 while the prefix is confirmed announced by the routing daemon.',
    ),
    announcedPrefixes: registry.gauge(
      'preflight_anycast_announced_prefixes',
      'Prefixes confirmed announced.',
    ),
    reloadSuccess: registry.gauge(
      'preflight_anycast_backend_last_reload_success',
      '1 when the last reload of the routing daemon (birdc configure or ExaBGP commands) succeeded.',
    ),
    reloadTimestamp: registry.gauge(
      'preflight_anycast_backend_last_reload_timestamp_seconds',
      'Unix time of the last reload attempt.',
    ),
    reloads: registry.counter(
      'preflight_anycast_backend_reloads_total',
      'Reloads of the routing daemon by result.',
    ),
  }
}

export type AnycastMetrics = ReturnType<typeof createAnycastMetrics>
