/**
 * @module
 * The body of a file-inspection worker thread. It runs as an `eval` worker (its source text is
 * `fileInspectorWorker.toString()`), so it must not touch anything outside its own body: it loads
 * what it needs with the eval worker's global `require` and gets every path already resolved
 * inside the assessed root. `globalThis.require`, not `require`: a bundler rewrites a bare
 * `require` into a helper the worker does not have.
 *
 * MD5s go through the eight-lane WebAssembly compressor (md5-lanes.ts): up to eight files are
 * open at once, each lane reading its file in 128 KiB slices straight into the module's memory,
 * and one `compress` call advances all of them. While lanes run, the worker polls for new batches
 * so that lanes stay full across batches. Other algorithms are hashed by OpenSSL, one at a time.
 */

/** A batch sent to a worker: one of two operations over many real paths (bytes for names that are not UTF-8). */
export type WorkerRequest =
  | { id: number; op: 'lstat'; paths: (WorkerPath | null)[] }
  | { id: number; op: 'digest'; paths: WorkerPath[]; algorithms: string[] }

/** A Buffer posted to a worker arrives as a Uint8Array, which fs takes as the path's bytes. */
type WorkerPath = string | Uint8Array

/**
 * lstat results as parallel arrays (cheap to clone): `error` is '' on success, otherwise the errno
 * code; `numbers` holds `lstatFields` numbers per path: mode, size, uid, gid, mtimeMs, whole
 * seconds of the mtime (exact, as st_mtime), rdev, nlink, dev, ino.
 */
export interface LstatReply {
  id: number
  error: string[]
  numbers: Float64Array
  linkTargets: (string | null)[]
}

/** Digests as lower-case hex, or the errno code when the file could not be read. */
export interface DigestReply {
  id: number
  digests: string[]
  errors: string[]
}

/** What the pool hands each worker: the compiled MD5 lanes (absent without SIMD) and their layout. */
export interface WorkerSetup {
  md5?: WebAssembly.Module
  lanes: number
  stateBytes: number
}

export const lstatFields = 10

export function fileInspectorWorker(): void {
  const load = globalThis.require
  const { parentPort, workerData, receiveMessageOnPort } = load(
    'node:worker_threads',
  ) as typeof import('node:worker_threads')
  const fs = load('node:fs') as typeof import('node:fs')
  const { createHash } = load('node:crypto') as typeof import('node:crypto')
  if (!parentPort) return
  const port = parentPort
  const setup = workerData as WorkerSetup
  const fields = 10 // lstatFields: the worker cannot import it
  const errnoOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'EIO'
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code })

  // fs reads a Uint8Array path as bytes, as it does a Buffer.
  const fsPath = (path: WorkerPath) => path as string | Buffer
  const lstatAll = (id: number, paths: (WorkerPath | null)[]) => {
    const error: string[] = new Array(paths.length).fill('')
    const numbers = new Float64Array(paths.length * fields)
    const linkTargets: (string | null)[] = new Array(paths.length).fill(null)
    paths.forEach((path, i) => {
      if (path === null) {
        error[i] = 'ENOENT'
        return
      }
      try {
        // bigint: mtimeMs as a double can round up into the next second; st_mtime must be exact.
        const st = fs.lstatSync(fsPath(path), { bigint: true })
        const ns = st.mtimeNs
        const seconds = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n)
        const values = [
          st.mode,
          st.size,
          st.uid,
          st.gid,
          st.mtimeMs,
          seconds,
          st.rdev,
          st.nlink,
          st.dev,
          st.ino,
        ]
        numbers.set(values.map(Number), i * fields)
        // latin1 maps bytes to characters one to one: link targets need not be UTF-8.
        if (st.isSymbolicLink()) linkTargets[i] = fs.readlinkSync(fsPath(path), 'latin1')
      } catch (caught) {
        error[i] = errnoOf(caught)
      }
    })
    const reply: LstatReply = { id, error, numbers, linkTargets }
    port.postMessage(reply, [numbers.buffer])
  }

  // O_NOFOLLOW: the path was resolved inside the root, so a link appearing now is refused, not
  // followed; O_NONBLOCK: a FIFO put where a file was never blocks the worker.
  const openFlags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK
  const openRegular = (path: WorkerPath): number => {
    const fd = fs.openSync(fsPath(path), openFlags)
    const st = fs.fstatSync(fd)
    if (st.isFile()) return fd
    fs.closeSync(fd)
    throw st.isDirectory() ? fail('EISDIR', 'is a directory') : fail('EINVAL', 'not a regular file')
  }

  const sliceBytes = 128 * 1024
  const opensslBuffer = Buffer.allocUnsafe(sliceBytes * 4)
  const opensslDigest = (path: WorkerPath, algorithm: string): string => {
    const fd = openRegular(path)
    try {
      const hash = createHash(algorithm)
      for (let read = fs.readSync(fd, opensslBuffer); read > 0; read = fs.readSync(fd, opensslBuffer)) {
        hash.update(opensslBuffer.subarray(0, read))
      }
      return hash.digest('hex')
    } finally {
      fs.closeSync(fd)
    }
  }

  // Requests whose digests are still being computed, and the MD5 jobs waiting for a lane.
  interface Batch {
    id: number
    digests: string[]
    errors: string[]
    remaining: number
  }
  interface Job {
    batch: Batch
    index: number
    path: WorkerPath
  }
  const jobs: Job[] = []
  /** One more file of the batch is done; the last one sends the batch's reply. */
  const finishOne = (batch: Batch) => {
    if (--batch.remaining > 0) return
    const reply: DigestReply = { id: batch.id, digests: batch.digests, errors: batch.errors }
    port.postMessage(reply)
  }
  const settle = (job: Job, digest: string, error: string) => {
    job.batch.digests[job.index] = digest
    job.batch.errors[job.index] = error
    finishOne(job.batch)
  }

  const handle = (request: WorkerRequest) => {
    if (request.op === 'lstat') return lstatAll(request.id, request.paths)
    const batch: Batch = {
      id: request.id,
      digests: new Array(request.paths.length).fill(''),
      errors: new Array(request.paths.length).fill(''),
      remaining: request.paths.length + 1,
    }
    request.paths.forEach((path, index) => {
      const algorithm = request.algorithms[index] ?? 'md5'
      if (algorithm === 'md5' && setup.md5) jobs.push({ batch, index, path })
      else {
        try {
          settle({ batch, index, path }, opensslDigest(path, algorithm), '')
        } catch (caught) {
          settle({ batch, index, path }, '', errnoOf(caught))
        }
      }
    })
    finishOne(batch) // the batch's own count: replies now when OpenSSL did every file
  }

  // The MD5 lanes. Memory: state at 0, then one buffer per lane (a slice, a partial block carried
  // over, and room for the padding).
  const lanes = setup.lanes
  const laneStride = sliceBytes + 256
  const laneBase = (lane: number) => setup.stateBytes + lane * laneStride
  interface Lane {
    job: Job | undefined
    fd: number
    length: number
    /** Bytes of an incomplete block at the start of the buffer, waiting for the next read. */
    carry: number
    /** Whole blocks in the buffer not compressed yet, starting at block `offset`. */
    pending: number
    offset: number
    /** The padding is in the buffer: when `pending` reaches 0 the digest is ready. */
    padded: boolean
  }
  const laneState: Lane[] = Array.from({ length: lanes }, () => ({
    job: undefined,
    fd: -1,
    length: 0,
    carry: 0,
    pending: 0,
    offset: 0,
    padded: false,
  }))
  let memory: Uint8Array | undefined
  let view: DataView | undefined
  let compress: ((...args: number[]) => void) | undefined
  let compressOne: ((state: number, data: number, blocks: number) => void) | undefined
  if (setup.md5) {
    const instance = new WebAssembly.Instance(setup.md5, {})
    const exported = instance.exports as {
      memory: WebAssembly.Memory
      compress: (...args: number[]) => void
      compressOne: (state: number, data: number, blocks: number) => void
    }
    memory = new Uint8Array(exported.memory.buffer)
    view = new DataView(exported.memory.buffer)
    compress = exported.compress
    compressOne = exported.compressOne
  }
  const initial = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  const stateOffset = (lane: number, word: number) => (lane >> 2) * 64 + word * 16 + (lane & 3) * 4

  const release = (lane: Lane) => {
    if (lane.fd >= 0) fs.closeSync(lane.fd)
    lane.job = undefined
    lane.fd = -1
  }

  const start = (index: number, lane: Lane, job: Job) => {
    try {
      lane.fd = openRegular(job.path)
    } catch (caught) {
      settle(job, '', errnoOf(caught))
      return
    }
    lane.job = job
    lane.length = 0
    lane.carry = 0
    lane.pending = 0
    lane.offset = 0
    lane.padded = false
    initial.forEach((word, r) => {
      view?.setUint32(stateOffset(index, r), word, true)
    })
  }

  /** Fills a lane's buffer with its next whole blocks, or with the final padded block(s) at the end of the file. */
  const refill = (index: number, lane: Lane, bytes: Uint8Array, data: DataView) => {
    const base = laneBase(index)
    if (lane.carry > 0 && lane.offset > 0) {
      bytes.copyWithin(base, base + lane.offset * 64, base + lane.offset * 64 + lane.carry)
    }
    lane.offset = 0
    for (;;) {
      const read = fs.readSync(lane.fd, bytes, base + lane.carry, sliceBytes, null)
      lane.length += read
      const total = lane.carry + read
      if (read === 0) {
        const padded = total + 9 <= 64 ? 64 : 128
        bytes.fill(0, base + total, base + padded)
        bytes[base + total] = 0x80
        const bits = lane.length * 8
        data.setUint32(base + padded - 8, bits % 2 ** 32, true)
        data.setUint32(base + padded - 4, Math.floor(bits / 2 ** 32), true)
        lane.pending = padded / 64
        lane.carry = 0
        lane.padded = true
        return
      }
      lane.pending = Math.floor(total / 64)
      lane.carry = total % 64
      if (lane.pending > 0) return
    }
  }

  const digestOf = (index: number, data: DataView): string => {
    const out = Buffer.alloc(16)
    for (let r = 0; r < 4; r++) out.writeUInt32LE(data.getUint32(stateOffset(index, r), true), r * 4)
    return out.toString('hex')
  }

  const poll = () => {
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
      handle(message.message as WorkerRequest)
    }
  }

  let running = false
  const runLanes = () => {
    if (running || !memory || !view || !compress || !compressOne) return
    const bytes = memory
    const data = view
    const run = compress
    const runOne = compressOne
    running = true
    try {
      for (;;) {
        poll()
        laneState.forEach((lane, index) => {
          while (!lane.job && jobs.length > 0) start(index, lane, jobs.shift() as Job)
        })
        let blocks = Number.POSITIVE_INFINITY
        laneState.forEach((lane, index) => {
          if (!lane.job || lane.pending > 0) return
          try {
            refill(index, lane, bytes, data)
          } catch (caught) {
            const job = lane.job
            release(lane)
            settle(job, '', errnoOf(caught))
          }
        })
        for (const lane of laneState) if (lane.job) blocks = Math.min(blocks, lane.pending)
        if (blocks === Number.POSITIVE_INFINITY) {
          if (jobs.length === 0) return
          continue
        }
        const active = laneState.filter((lane) => lane.job).length
        const alone = active === 1 && jobs.length === 0 ? laneState.findIndex((lane) => lane.job) : -1
        if (alone >= 0) {
          // One lane of eight runs at an eighth of the lanes' speed: alone, a file goes on in one.
          runOne(stateOffset(alone, 0), laneBase(alone) + (laneState[alone] as Lane).offset * 64, blocks)
        } else {
          // Idle lanes compress the first lane's bytes into their own unused state.
          const pointers = laneState.map((lane, index) =>
            lane.job ? laneBase(index) + lane.offset * 64 : laneBase(0),
          )
          run(0, ...pointers, blocks)
        }
        laneState.forEach((lane, index) => {
          if (!lane.job) return
          lane.pending -= blocks
          lane.offset += blocks
          if (lane.pending === 0 && lane.padded) {
            const job = lane.job
            const digest = digestOf(index, data)
            release(lane)
            settle(job, digest, '')
          }
        })
      }
    } finally {
      running = false
    }
  }

  port.on('message', (request: WorkerRequest) => {
    handle(request)
    runLanes()
  })
}
