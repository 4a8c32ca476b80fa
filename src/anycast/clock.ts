/**
 * @module
 * Time as the daemon sees it. Everything that waits (check schedules, time-outs, hold-down,
 * back-off, reload coalescing) asks a `Clock`, so the unit tests drive a fake one and never sleep.
 */

/** A pending timer; `cancel` is safe to call twice or after it fired. */
export interface Timer {
  cancel(): void
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Calls `fn` once after `ms`. `keepAlive: false` lets the process exit while only this timer is
   * pending (time-outs and back-off must not keep a stopping daemon alive).
   */
  setTimer(ms: number, fn: () => void, options?: { keepAlive?: boolean }): Timer
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn, options = {}) {
    const handle = setTimeout(fn, Math.max(0, ms))
    if (options.keepAlive === false) handle.unref()
    return { cancel: () => clearTimeout(handle) }
  },
}

/** Resolves after `ms` on `clock`; rejects with the signal's reason when aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      timer.cancel()
      reject(signal?.reason)
    }
    const timer = clock.setTimer(
      ms,
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      { keepAlive: false },
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
