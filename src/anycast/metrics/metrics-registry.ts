/**
 * @module
 * A small Prometheus registry: gauges, counters and histograms with labels, rendered in the text
 * exposition format (version 0.0.4): `# HELP`, `# TYPE`, one sample per line, label values
 * escaped, histogram buckets cumulative with `le="+Inf"`, `_sum` and `_count`.
 */

export type Labels = Readonly<Record<string, string>>

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}

interface Metric {
  readonly name: string
  readonly help: string
  readonly type: 'gauge' | 'counter' | 'histogram'
  render(): string[]
}

class LabelledValues {
  protected readonly values = new Map<string, { labels: Labels; value: number }>()

  protected entry(labels: Labels): { labels: Labels; value: number } {
    const key = labelText(labels)
    let entry = this.values.get(key)
    if (!entry) {
      entry = { labels, value: 0 }
      this.values.set(key, entry)
    }
    return entry
  }

  /** Drops the series of these labels (a service removed by a reload). */
  remove(labels: Labels): void {
    this.values.delete(labelText(labels))
  }
}

export class Gauge extends LabelledValues implements Metric {
  readonly type = 'gauge'
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    super()
  }

  set(labels: Labels, value: number): void {
    this.entry(labels).value = value
  }

  render(): string[] {
    return [...this.values.values()].map(
      ({ labels, value }) => `${this.name}${labelText(labels)} ${formatValue(value)}`,
    )
  }
}

export class Counter extends LabelledValues implements Metric {
  readonly type = 'counter'
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    super()
  }

  inc(labels: Labels, by = 1): void {
    this.entry(labels).value += by
  }

  render(): string[] {
    return [...this.values.values()].map(
      ({ labels, value }) => `${this.name}${labelText(labels)} ${formatValue(value)}`,
    )
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram'
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels)
    let entry = this.series.get(key)
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, entry)
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound && entry) entry.counts[index] = (entry.counts[index] ?? 0) + 1
    })
    entry.sum += value
    entry.count += 1
  }

  remove(labels: Labels): void {
    this.series.delete(labelText(labels))
  }

  render(): string[] {
    const lines: string[] = []
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, index) => {
        lines.push(
          `${this.name}_bucket${labelText({ ...labels, le: formatValue(bound) })} ${counts[index] ?? 0}`,
        )
      })
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`)
      lines.push(`${this.name}_sum${labelText(labels)} ${formatValue(sum)}`)
      lines.push(`${this.name}_count${labelText(labels)} ${count}`)
    }
    return lines
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = []

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help))
  }

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help))
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets))
  }

  private add<T extends Metric>(metric: T): T {
    this.metrics.push(metric)
    return metric
  }

  /** The exposition text, ending with a newline. */
  render(): string {
    const lines: string[] = []
    for (const metric of this.metrics) {
      lines.push(`# HELP ${metric.name} ${metric.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
      lines.push(`# TYPE ${metric.name} ${metric.type}`)
      lines.push(...metric.render())
    }
    return `${lines.join('\n')}\n`
  }
}
