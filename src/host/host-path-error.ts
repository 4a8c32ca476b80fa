/** A host file that exists but could not be read: names the host path (not the real one) and the cause. */
export class HostPathError extends Error {
  override readonly name = 'HostPathError'
  constructor(
    readonly hostPath: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${hostPath}: ${detail}`)
  }

  static from(hostPath: string, error: unknown): HostPathError {
    if (error instanceof HostPathError) return error
    const errno = error as NodeJS.ErrnoException
    const detail = errno.code ? `${errno.code}: ${errno.message.replace(/^[A-Z]+: /, '')}` : String(error)
    return new HostPathError(hostPath, errno.code ?? 'EIO', detail)
  }
}
