/**
 * @module
 * MD5 of eight files at once on one core. MD5 is a serial chain per message, so one message keeps
 * a core ~5 cycles per byte busy whatever the CPU (OpenSSL: ~650 MiB/s); the chains of eight
 * messages, interleaved in WebAssembly SIMD lanes (2 × 4 × 32 bits), run ~3× faster together.
 * dpkg records only MD5s, so this is what lets `preflight verify` beat `dpkg --verify` by more
 * than the core count.
 *
 * The module is generated here, instruction by instruction (no binary in the repository, no
 * toolchain): `compress(state, p0 … p7, blocks)` runs MD5's compression over `blocks` 64-byte
 * blocks of each lane, lane i reading from pointer p_i in the module's exported memory and
 * updating its A, B, C, D words in `state` (group g, word r, lane i at g*64 + r*16 + i*4).
 */

/** Messages hashed together by one call. */
export const md5Lanes = 8
/** Bytes of state `compress` reads and writes at its `state` pointer. */
export const md5StateBytes = (md5Lanes / 4) * 64
/** 64 KiB pages of the module's memory (2 MiB: the state and eight read buffers). */
export const md5MemoryPages = 32

const groups = md5Lanes / 4

function uleb(value: number): number[] {
  const out: number[] = []
  let rest = value
  do {
    const low = rest & 0x7f
    rest >>>= 7
    out.push(rest === 0 ? low : low | 0x80)
  } while (rest !== 0)
  return out
}

function sleb(value: number): number[] {
  const out: number[] = []
  let rest = value | 0
  for (;;) {
    const low = rest & 0x7f
    rest >>= 7
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0)
    out.push(done ? low : low | 0x80)
    if (done) return out
  }
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const simd = (opcode: number) => [0xfd, ...uleb(opcode)]

/** The instructions the generator uses (WebAssembly core + fixed-width SIMD encodings). */
const wasm = {
  localGet: (index: number) => [0x20, ...uleb(index)],
  localSet: (index: number) => [0x21, ...uleb(index)],
  localTee: (index: number) => [0x22, ...uleb(index)],
  i32Const: (value: number) => [0x41, ...sleb(value)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  end: [0x0b],
  v128Load: (offset: number) => [...simd(0x00), 4, ...uleb(offset)],
  v128Store: (offset: number) => [...simd(0x0b), 4, ...uleb(offset)],
  /** i8x16.shuffle picking four 32-bit words (0–3 from the first operand, 4–7 from the second). */
  shuffleWords: (words: readonly number[]) => [
    ...simd(0x0d),
    ...words.flatMap((w) => [w * 4, w * 4 + 1, w * 4 + 2, w * 4 + 3]),
  ],
  i32x4Splat: simd(0x11),
  not: simd(0x4d),
  or: simd(0x50),
  xor: simd(0x51),
  bitselect: simd(0x52),
  i32x4Shl: simd(0xab),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32Load: (offset: number) => [0x28, 2, ...uleb(offset)],
  i32Store: (offset: number) => [0x36, 2, ...uleb(offset)],
  i32And: [0x71],
  i32Or: [0x72],
  i32Xor: [0x73],
  i32Rotl: [0x77],
}

/** MD5's sine constants, shift amounts and message word order (RFC 1321). */
const sines = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0)
const shifts = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const wordOf = (step: number) =>
  step < 16 ? step : step < 32 ? (5 * step + 1) % 16 : step < 48 ? (3 * step + 5) % 16 : (7 * step) % 16

function compressBody(): { code: number[]; v128Locals: number } {
  const stateParam = 0
  const laneParam = (lane: number) => 1 + lane
  const blocksParam = 1 + md5Lanes
  let nextLocal = blocksParam + 1
  const local = () => nextLocal++
  const words = Array.from({ length: groups }, () => [local(), local(), local(), local()])
  const saved = Array.from({ length: groups }, () => [local(), local(), local(), local()])
  const message = Array.from({ length: groups }, () => Array.from({ length: 16 }, local))
  const scratch = Array.from({ length: groups }, local)
  const v128Locals = nextLocal - (blocksParam + 1)
  const code: number[] = []
  const emit = (...parts: number[][]) => {
    for (const part of parts) code.push(...part)
  }
  const at = <T>(list: readonly T[], index: number) => list[index] as T

  for (let g = 0; g < groups; g++)
    for (let r = 0; r < 4; r++)
      emit(wasm.localGet(stateParam), wasm.v128Load(g * 64 + r * 16), wasm.localSet(at(at(words, g), r)))
  emit(wasm.loop)
  for (let g = 0; g < groups; g++) {
    const tmp = at(scratch, g)
    const m = at(message, g)
    // Message words 4q…4q+3 of the four lanes of group g: four 16-byte loads, then a 4×4
    // transpose of 32-bit words so that vector k holds word k of every lane.
    for (let q = 0; q < 4; q++) {
      const row = (lane: number) => [...wasm.localGet(laneParam(g * 4 + lane)), ...wasm.v128Load(q * 16)]
      const [w0, w1, w2, w3] = [at(m, 4 * q), at(m, 4 * q + 1), at(m, 4 * q + 2), at(m, 4 * q + 3)]
      emit(row(0), row(1), wasm.shuffleWords([0, 4, 1, 5]), wasm.localSet(w0))
      emit(row(2), row(3), wasm.shuffleWords([0, 4, 1, 5]), wasm.localSet(w1))
      emit(row(0), row(1), wasm.shuffleWords([2, 6, 3, 7]), wasm.localSet(w2))
      emit(row(2), row(3), wasm.shuffleWords([2, 6, 3, 7]), wasm.localSet(w3))
      emit(wasm.localGet(w0), wasm.localGet(w1), wasm.shuffleWords([0, 1, 4, 5]), wasm.localSet(tmp))
      emit(wasm.localGet(w0), wasm.localGet(w1), wasm.shuffleWords([2, 3, 6, 7]), wasm.localSet(w1))
      emit(wasm.localGet(tmp), wasm.localSet(w0))
      emit(wasm.localGet(w2), wasm.localGet(w3), wasm.shuffleWords([0, 1, 4, 5]), wasm.localSet(tmp))
      emit(wasm.localGet(w2), wasm.localGet(w3), wasm.shuffleWords([2, 3, 6, 7]), wasm.localSet(w3))
      emit(wasm.localGet(tmp), wasm.localSet(w2))
    }
    for (let r = 0; r < 4; r++) emit(wasm.localGet(at(at(words, g), r)), wasm.localSet(at(at(saved, g), r)))
  }
  // The 64 steps, the groups interleaved step by step so their dependency chains overlap. Instead
  // of moving words around, each step renames them: (a, b, c, d) becomes (d, a', b, c).
  const roles = Array.from({ length: groups }, () => [0, 1, 2, 3])
  for (let step = 0; step < 64; step++) {
    const round = step >> 4
    for (let g = 0; g < groups; g++) {
      const [a, b, c, d] = at(roles, g).map((role) => at(at(words, g), role)) as [
        number,
        number,
        number,
        number,
      ]
      const tmp = at(scratch, g)
      if (round === 0) emit(wasm.localGet(c), wasm.localGet(d), wasm.localGet(b), wasm.bitselect)
      else if (round === 1) emit(wasm.localGet(b), wasm.localGet(c), wasm.localGet(d), wasm.bitselect)
      else if (round === 2) emit(wasm.localGet(b), wasm.localGet(c), wasm.xor, wasm.localGet(d), wasm.xor)
      else emit(wasm.localGet(c), wasm.localGet(b), wasm.localGet(d), wasm.not, wasm.or, wasm.xor)
      emit(wasm.localGet(a), wasm.i32x4Add, wasm.i32Const(at(sines, step)), wasm.i32x4Splat, wasm.i32x4Add)
      emit(wasm.localGet(at(at(message, g), wordOf(step))), wasm.i32x4Add)
      const shift = at(shifts, (round << 2) | (step & 3))
      emit(wasm.localTee(tmp), wasm.i32Const(shift), wasm.i32x4Shl)
      emit(wasm.localGet(tmp), wasm.i32Const(32 - shift), wasm.i32x4ShrU, wasm.or)
      emit(wasm.localGet(b), wasm.i32x4Add, wasm.localSet(a))
      const [ra, rb, rc, rd] = at(roles, g) as [number, number, number, number]
      roles[g] = [rd, ra, rb, rc]
    }
  }
  for (let g = 0; g < groups; g++)
    for (let r = 0; r < 4; r++) {
      const word = at(at(words, g), r)
      emit(wasm.localGet(word), wasm.localGet(at(at(saved, g), r)), wasm.i32x4Add, wasm.localSet(word))
    }
  for (let lane = 0; lane < md5Lanes; lane++)
    emit(wasm.localGet(laneParam(lane)), wasm.i32Const(64), wasm.i32Add, wasm.localSet(laneParam(lane)))
  emit(wasm.localGet(blocksParam), wasm.i32Const(1), wasm.i32Sub, wasm.localTee(blocksParam), wasm.brIf(0))
  emit(wasm.end)
  for (let g = 0; g < groups; g++)
    for (let r = 0; r < 4; r++)
      emit(wasm.localGet(stateParam), wasm.localGet(at(at(words, g), r)), wasm.v128Store(g * 64 + r * 16))
  emit(wasm.end)
  return { code, v128Locals }
}

/**
 * `compressOne(state, data, blocks)`: the same compression for one lane, in plain 32-bit
 * instructions (with a real rotate), reading and writing that lane's words in place in the
 * lanes' state (`state` = the lane's first word; the others 16, 32 and 48 bytes on). A file left
 * alone in the lanes continues here: one lane of eight would run at an eighth of the speed.
 */
function compressOneBody(): { code: number[]; i32Locals: number } {
  const [stateParam, dataParam, blocksParam] = [0, 1, 2]
  let nextLocal = 3
  const local = () => nextLocal++
  const words = [local(), local(), local(), local()]
  const saved = [local(), local(), local(), local()]
  const i32Locals = nextLocal - 3
  const code: number[] = []
  const emit = (...parts: number[][]) => {
    for (const part of parts) code.push(...part)
  }
  const at = (list: readonly number[], index: number) => list[index] as number
  for (let r = 0; r < 4; r++)
    emit(wasm.localGet(stateParam), wasm.i32Load(r * 16), wasm.localSet(at(words, r)))
  emit(wasm.loop)
  for (let r = 0; r < 4; r++) emit(wasm.localGet(at(words, r)), wasm.localSet(at(saved, r)))
  let roles = [0, 1, 2, 3]
  for (let step = 0; step < 64; step++) {
    const [a, b, c, d] = roles.map((role) => at(words, role)) as [number, number, number, number]
    const round = step >> 4
    if (round === 0)
      emit(
        wasm.localGet(c),
        wasm.localGet(d),
        wasm.i32Xor,
        wasm.localGet(b),
        wasm.i32And,
        wasm.localGet(d),
        wasm.i32Xor,
      )
    else if (round === 1)
      emit(
        wasm.localGet(b),
        wasm.localGet(c),
        wasm.i32Xor,
        wasm.localGet(d),
        wasm.i32And,
        wasm.localGet(c),
        wasm.i32Xor,
      )
    else if (round === 2) emit(wasm.localGet(b), wasm.localGet(c), wasm.i32Xor, wasm.localGet(d), wasm.i32Xor)
    else
      emit(
        wasm.localGet(c),
        wasm.localGet(d),
        wasm.i32Const(-1),
        wasm.i32Xor,
        wasm.localGet(b),
        wasm.i32Or,
        wasm.i32Xor,
      )
    emit(wasm.localGet(a), wasm.i32Add, wasm.i32Const(at(sines, step)), wasm.i32Add)
    emit(wasm.localGet(dataParam), wasm.i32Load(wordOf(step) * 4), wasm.i32Add)
    emit(wasm.i32Const(at(shifts, (round << 2) | (step & 3))), wasm.i32Rotl)
    emit(wasm.localGet(b), wasm.i32Add, wasm.localSet(a))
    const [ra, rb, rc, rd] = roles as [number, number, number, number]
    roles = [rd, ra, rb, rc]
  }
  for (let r = 0; r < 4; r++) {
    emit(wasm.localGet(at(words, r)), wasm.localGet(at(saved, r)), wasm.i32Add, wasm.localSet(at(words, r)))
  }
  emit(wasm.localGet(dataParam), wasm.i32Const(64), wasm.i32Add, wasm.localSet(dataParam))
  emit(wasm.localGet(blocksParam), wasm.i32Const(1), wasm.i32Sub, wasm.localTee(blocksParam), wasm.brIf(0))
  emit(wasm.end)
  for (let r = 0; r < 4; r++)
    emit(wasm.localGet(stateParam), wasm.localGet(at(words, r)), wasm.i32Store(r * 16))
  emit(wasm.end)
  return { code, i32Locals }
}

/** The module's bytes: memory (exported as `memory`), `compress` and `compressOne` (64 steps unrolled). */
export function md5LanesWasm(): Uint8Array {
  const i32 = 0x7f
  const v128 = 0x7b
  const lanesType = [0x60, ...uleb(md5Lanes + 2), ...Array<number>(md5Lanes + 2).fill(i32), 0]
  const oneType = [0x60, 3, i32, i32, i32, 0]
  const lanes = compressBody()
  const one = compressOneBody()
  const lanesBody = [...uleb(1), ...uleb(lanes.v128Locals), v128, ...lanes.code]
  const oneBody = [...uleb(1), ...uleb(one.i32Locals), i32, ...one.code]
  const exports = [
    [...uleb(6), ...ascii('memory'), 0x02, 0],
    [...uleb(8), ...ascii('compress'), 0x00, 0],
    [...uleb(11), ...ascii('compressOne'), 0x00, 1],
  ]
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [2, ...lanesType, ...oneType]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, ...uleb(md5MemoryPages)]),
    ...section(7, [exports.length, ...exports.flat()]),
    ...section(10, [2, ...uleb(lanesBody.length), ...lanesBody, ...uleb(oneBody.length), ...oneBody]),
  ])
}

/** The compiled module, or undefined where the runtime has no WebAssembly SIMD (then MD5 falls back to OpenSSL). */
export function compileMd5Lanes(): WebAssembly.Module | undefined {
  const bytes = md5LanesWasm()
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : undefined
}
