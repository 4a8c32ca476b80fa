/**
 * A small deterministic PRNG (mulberry32) for the start-up splay: a seed makes a test's schedule
 * reproducible, no seed takes one from Math.random.
 */
export function seededRandom(seed: number = Math.floor(Math.random() * 2 ** 32)): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}
