/**
 * @module
 * `npm run bench [name …]`: runs every bench/*.bench.ts (or those whose file name contains one of
 * the names), one after another so they do not disturb each other's timings. A bench that throws
 * is reported and the others still run; the exit code says whether all succeeded.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)

const files = (await readdir(benchDir))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort()

if (files.length === 0) {
  process.stderr.write(`bench: nothing matches ${filters.join(', ')}\n`)
  process.exit(2)
}

let failed = 0
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '')
  process.stdout.write(`\n== ${name} ==\n`)
  try {
    const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as {
      default?: () => Promise<void>
    }
    if (typeof module.default !== 'function') throw new Error(`${file} has no default-exported function`)
    await module.default()
  } catch (error) {
    failed++
    process.stderr.write(
      `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
  }
}
process.exitCode = failed > 0 ? 1 : 0
