/**
 * @module
 * The results archive: `preflight-results-<runId>.tar.gz` with one top directory of the same name,
 * as the Preupgrade Assistant's `preupg_results-<YYMMDDHHMMSS>.tar.gz`. Written under a temporary
 * name and renamed, so nobody (an upload, a fleet collector) ever reads half an archive.
 */
import { chmod, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { create } from 'tar'

/** The archive's top directory and file stem for a run. */
export function archiveName(runId: string): string {
  return `preflight-results-${runId}`
}

/**
 * Packs `stageDir/topDir` into the gzip tarball `file`. Headers are portable (no owner names or
 * ids, which mean nothing on the machine that opens the archive); the file is private to its owner
 * because facts name users, groups and configuration.
 */
export async function writeArchive(stageDir: string, topDir: string, file: string): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.partial`)
  try {
    await create({ gzip: true, file: partial, cwd: stageDir, portable: true }, [topDir])
    await chmod(partial, 0o600)
    await rename(partial, file)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}
