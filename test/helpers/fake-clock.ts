/**
 * @module
 * A `Clock` for tests: time moves only when the test calls `advance`, and timers fire in order of
 * their due time. Between timers the microtask queue is drained so promise chains started by one
 * timer (a check finishing, a reload completing) settle before the next timer fires.
 */
import type { Clock, Timer } from '../../src/anycast/clock.ts'

interface PendingTimer {
  due: number
  order: number
  fn: () => void
  cancelled: boolean
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

export class FakeClock implements Clock {
  private current: number
  private order = 0
  private timers: PendingTimer[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: PendingTimer = {
      due: this.current + Math.max(0, ms),
      order: this.order++,
      fn,
      cancelled: false,
    }
    this.timers.push(timer)
    return {
      cancel: () => {
        timer.cancelled = true
      },
    }
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms
    await settle()
    for (;;) {
      this.timers = this.timers.filter((timer) => !timer.cancelled)
      this.timers.sort((a, b) => a.due - b.due || a.order - b.order)
      const next = this.timers[0]
      if (!next || next.due > end) break
      this.timers.shift()
      this.current = next.due
      next.fn()
      await settle()
    }
    this.current = end
    await settle()
  }
}
