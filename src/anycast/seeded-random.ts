/**
 * A small deterministic PRNG (mulberry32), numbers in [0, 1): the daemon's start-up splay, and the
 * one generator of every seeded test (fuzzers, property tests), so a failing seed replays. No seed
 * takes one from Math.random.
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
