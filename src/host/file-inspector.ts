/**
 * @module
 * Inspects many files at once for package verification: lstat, link targets and content digests,
 * in a pool of worker threads so that hashing uses every core while the main thread only hands out
 * batches. Paths arrive already resolved inside the assessed root (see `Host.inspectFiles`).
 */
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import {
  type DigestReply,
  fileInspectorWorker,
  type LstatReply,
  lstatFields,
  type WorkerRequest,
  type WorkerSetup,
} from './file-inspector-worker.ts'
import type { HostStat } from './host.ts'
import { compileMd5Lanes, md5Lanes, md5StateBytes } from './md5-lanes.ts'

/** A node:crypto hash name ('md5', 'sha256', …); one the runtime lacks makes the digest an error. */
export type DigestAlgorithm = string

/** lstat of a path as verification needs it: HostStat plus exact st_mtime, device number and link count. */
export interface InspectedStat extends HostStat {
  /** st_mtime: whole seconds, rounded down (mtimeMs / 1000 can round up into the next second). */
  readonly mtimeSeconds: number
  readonly rdev: number
  readonly nlink: number
}

export interface InspectedFile {
  /** Undefined when lstat failed; `error` says why. */
  stat?: InspectedStat
  /** errno code of the failed lstat: 'ENOENT'/'ENOTDIR' when absent, others ('EACCES', 'ELOOP') otherwise. */
  error?: string
  /** Target of a symlink, the bytes as stored. */
  linkTarget?: Buffer
  /** Lower-case hex digest, when one was asked for and the file could be read. */
  digest?: string
  /** errno code when a digest was asked for but the file could not be read ('EISDIR' for a directory). */
  digestError?: string
}

/**
 * Decides, once the file's lstat is known, whether to hash it and with what. Asked only for paths
 * that exist. A symlink asked for is followed (inside the root) and its target hashed.
 */
export type DigestChoice = (index: number, stat: InspectedStat) => DigestAlgorithm | undefined

/** A path ready for a worker (bytes when it is not UTF-8), or the errno code that stopped its resolution. */
export type ResolvedPath = { real: string | Buffer } | { error: string }

const lstatBatchSize = 256
/** A digest batch closes at this many bytes or files, so big files spread over the workers. */
const digestBatchBytes = 4 * 1024 * 1024
const digestBatchFiles = 64
/** Batches queued per worker: enough files to keep its MD5 lanes full, the next ready when one finishes. */
const batchesPerWorker = 16

interface Slot {
  worker: Worker
  inFlight: Map<number, Pending>
}

interface Pending {
  request: WorkerRequest
  resolve(reply: LstatReply | DigestReply): void
  reject(error: Error): void
}

class InspectorPool {
  private readonly slots: Slot[] = []
  private readonly queue: Pending[] = []
  private nextId = 1

  private readonly setup: WorkerSetup

  constructor(private readonly size: number) {
    const md5 = compileMd5Lanes()
    this.setup = { ...(md5 ? { md5 } : {}), lanes: md5Lanes, stateBytes: md5StateBytes }
  }

  run<R extends LstatReply | DigestReply>(request: Omit<WorkerRequest, 'id'> & { op: WorkerRequest['op'] }) {
    return new Promise<R>((resolve, reject) => {
      const full = { ...request, id: this.nextId++ } as WorkerRequest
      this.queue.push({ request: full, resolve: resolve as Pending['resolve'], reject })
      this.dispatch()
    })
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.leastBusy()
      if (!slot) break
      const pending = this.queue.shift() as Pending
      slot.inFlight.set(pending.request.id, pending)
      slot.worker.ref()
      slot.worker.postMessage(pending.request)
    }
  }

  private leastBusy(): Slot | undefined {
    while (this.slots.length < this.size) this.slots.push(this.spawn())
    let best: Slot | undefined
    for (const slot of this.slots) {
      if (slot.inFlight.size >= batchesPerWorker) continue
      if (!best || slot.inFlight.size < best.inFlight.size) best = slot
    }
    return best
  }

  private spawn(): Slot {
    // esbuild (as tsx runs it) wraps named functions in __name(); the worker has no such helper.
    const source = `var __name = (target) => target;\n(${fileInspectorWorker.toString()})()`
    const worker = new Worker(source, { eval: true, execArgv: [], workerData: this.setup })
    const slot: Slot = { worker, inFlight: new Map() }
    worker.on('message', (reply: LstatReply | DigestReply) => {
      const pending = slot.inFlight.get(reply.id)
      slot.inFlight.delete(reply.id)
      if (slot.inFlight.size === 0) worker.unref()
      pending?.resolve(reply)
      this.dispatch()
    })
    worker.on('error', (error) => this.retire(slot, error))
    worker.on('exit', (code) =>
      this.retire(slot, new Error(`file inspector worker exited with code ${code}`)),
    )
    worker.unref()
    return slot
  }

  private retire(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot)
    if (index < 0) return
    this.slots.splice(index, 1)
    for (const pending of slot.inFlight.values()) pending.reject(error)
    slot.inFlight.clear()
    this.dispatch()
  }
}

/** One worker per core, at least two (a disk read in one, hashing in the other), at most eight (disks saturate first). */
const workerCount = Math.min(8, Math.max(2, os.availableParallelism()))

let sharedPool: InspectorPool | undefined
function pool(): InspectorPool {
  sharedPool ??= new InspectorPool(workerCount)
  return sharedPool
}

function toInspectedStat(numbers: Float64Array, at: number): InspectedStat {
  const mode = numbers[at] as number
  const type = mode & 0o170000
  return {
    kind:
      type === 0o100000 ? 'file' : type === 0o040000 ? 'directory' : type === 0o120000 ? 'symlink' : 'other',
    mode,
    size: numbers[at + 1] as number,
    uid: numbers[at + 2] as number,
    gid: numbers[at + 3] as number,
    mtimeMs: numbers[at + 4] as number,
    mtimeSeconds: numbers[at + 5] as number,
    rdev: numbers[at + 6] as number,
    nlink: numbers[at + 7] as number,
  }
}

/** lstat results, plus for files with several links `device:inode:size:mtime` (how hard links are recognised). */
async function lstatAll(
  paths: readonly ResolvedPath[],
): Promise<{ results: InspectedFile[]; inodes: string[] }> {
  const results: InspectedFile[] = new Array(paths.length)
  const inodes: string[] = new Array(paths.length).fill('')
  const batches: Promise<void>[] = []
  for (let start = 0; start < paths.length; start += lstatBatchSize) {
    const slice = paths.slice(start, start + lstatBatchSize)
    const request = { op: 'lstat' as const, paths: slice.map((p) => ('real' in p ? p.real : null)) }
    batches.push(
      pool()
        .run<LstatReply>(request)
        .then(({ error, numbers, linkTargets }) => {
          slice.forEach((resolved, i) => {
            const failed = 'error' in resolved ? resolved.error : error[i]
            if (failed) {
              results[start + i] = { error: failed }
              return
            }
            const at = i * lstatFields
            const stat = toInspectedStat(numbers, at)
            const found: InspectedFile = { stat }
            // Size and mtime too: inode numbers past 2^53 lose precision as doubles.
            if (stat.nlink > 1)
              inodes[start + i] = `${numbers[at + 8]}:${numbers[at + 9]}:${stat.size}:${stat.mtimeMs}`
            const target = linkTargets[i]
            if (target !== null && target !== undefined) found.linkTarget = Buffer.from(target, 'latin1')
            results[start + i] = found
          })
        }),
    )
  }
  await Promise.all(batches)
  return { results, inodes }
}

interface DigestJob {
  real: string | Buffer
  algorithm: DigestAlgorithm
  size: number
  /** Indexes of the request that share this job (hard links of one inode). */
  targets: number[]
}

async function digestAll(jobs: readonly DigestJob[], results: InspectedFile[]): Promise<void> {
  const batches: Promise<void>[] = []
  let batch: DigestJob[] = []
  let bytes = 0
  const flush = () => {
    if (batch.length === 0) return
    const sent = batch
    batch = []
    bytes = 0
    const request = {
      op: 'digest' as const,
      paths: sent.map((j) => j.real),
      algorithms: sent.map((j) => j.algorithm),
    }
    batches.push(
      pool()
        .run<DigestReply>(request)
        .then((reply) => {
          sent.forEach((job, i) => {
            for (const target of job.targets) {
              const result = results[target] as InspectedFile
              if (reply.errors[i]) result.digestError = reply.errors[i]
              else result.digest = reply.digests[i]
            }
          })
        }),
    )
  }
  for (const job of jobs) {
    if (bytes + job.size > digestBatchBytes || batch.length >= digestBatchFiles) flush()
    batch.push(job)
    bytes += job.size
  }
  flush()
  await Promise.all(batches)
}

/**
 * lstat every path, then hash the ones `choose` asks for. Hard links of one inode within a call
 * are hashed once. `follow` resolves a symlink chosen for hashing to the real path of its target.
 */
export async function inspectFiles(
  paths: readonly ResolvedPath[],
  choose: DigestChoice,
  follow: (index: number) => Promise<ResolvedPath>,
): Promise<InspectedFile[]> {
  const { results, inodes } = await lstatAll(paths)
  const jobs: DigestJob[] = []
  const shared = new Map<string, DigestJob>()
  const followed: Promise<void>[] = []
  results.forEach((result, index) => {
    const { stat } = result
    const algorithm = stat && choose(index, stat)
    if (!stat || !algorithm) return
    const resolved = paths[index] as ResolvedPath
    if (stat.kind === 'directory') result.digestError = 'EISDIR'
    else if (stat.kind === 'symlink') {
      followed.push(
        follow(index).then((target) => {
          if ('error' in target) result.digestError = target.error
          else jobs.push({ real: target.real, algorithm, size: 0, targets: [index] })
        }),
      )
    } else if (stat.kind === 'other') result.digestError = 'EINVAL'
    else if ('real' in resolved) {
      const key = inodes[index] ? `${inodes[index]}:${algorithm}` : ''
      const existing = key ? shared.get(key) : undefined
      if (existing) existing.targets.push(index)
      else {
        const job = { real: resolved.real, algorithm, size: stat.size, targets: [index] }
        jobs.push(job)
        if (key) shared.set(key, job)
      }
    }
  })
  await Promise.all(followed)
  await digestAll(jobs, results)
  return results
}
