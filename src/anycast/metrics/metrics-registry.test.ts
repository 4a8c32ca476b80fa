import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAnycastMetrics } from './anycast-metrics.ts'
import { MetricsRegistry } from './metrics-registry.ts'
import { startMetricsServer } from './metrics-server.ts'

describe('Prometheus exposition', () => {
  test('gauges, counters and histograms in text format 0.0.4', () => {
    const registry = new MetricsRegistry()
    const up = registry.gauge('x_up', 'Up.\nReally.')
    const total = registry.counter('x_total', 'Count.')
    const seconds = registry.histogram('x_seconds', 'Time.', [0.1, 1])
    up.set({ service: 'dns "main"\\1' }, 1)
    total.inc({ result: 'ok' })
    total.inc({ result: 'ok' }, 2)
    seconds.observe({ check: 'udp' }, 0.05)
    seconds.observe({ check: 'udp' }, 0.5)
    seconds.observe({ check: 'udp' }, 3)
    assert.equal(
      registry.render(),
      [
        '# HELP x_up Up.\\nReally.',
        '# TYPE x_up gauge',
        'x_up{service="dns \\"main\\"\\\\1"} 1',
        '# HELP x_total Count.',
        '# TYPE x_total counter',
        'x_total{result="ok"} 3',
        '# HELP x_seconds Time.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{check="udp",le="0.1"} 1',
        'x_seconds_bucket{check="udp",le="1"} 2',
        'x_seconds_bucket{check="udp",le="+Inf"} 3',
        'x_seconds_sum{check="udp"} 3.55',
        'x_seconds_count{check="udp"} 3',
        '',
      ].join('\n'),
    )
    up.remove({ service: 'dns "main"\\1' })
    assert.doesNotMatch(registry.render(), /x_up\{/)
  })

  test('served over HTTP on loopback at /metrics only', async () => {
    const metrics = createAnycastMetrics()
    metrics.serviceUp.set({ service: 'dns' }, 1)
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, () => metrics.registry.render())
    try {
      const base = `http://127.0.0.1:${server.address.port}`
      const response = await fetch(`${base}/metrics`)
      assert.equal(response.status, 200)
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
      const body = await response.text()
      assert.match(body, /^preflight_anycast_service_up\{service="dns"\} 1$/m)
      assert.match(body, /^# TYPE preflight_anycast_check_duration_seconds histogram$/m)
      assert.equal((await fetch(`${base}/`)).status, 404)
    } finally {
      await server.close()
    }
  })
})
