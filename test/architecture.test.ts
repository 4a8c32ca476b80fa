/**
 * Import direction (docs/architecture.md): each stage under src/ imports only from the stages to
 * its left, nothing imports cli/, and only the host layer reads the disk.
 *
 *   host/ → facts/ → checks/ → engine/ → reports/ → cli/
 *   anycast/: the health-check daemon, its own pipeline beside the assessment one.
 *
 * Every src/**\/*.ts except tests is read; an import counts whether it is a type import, a
 * re-export or a dynamic import().
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import ts from 'typescript'

const repository = path.resolve(import.meta.dirname, '..')
const source = path.join(repository, 'src')

interface Import {
  /** Importing file, relative to src/ ('facts/hostname.ts'). */
  from: string
  /** Imported file relative to src/, or the module name for packages and node: built-ins. */
  to: string
  /** Whether `to` is a file under src/. */
  local: boolean
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : []
  })
}

const imports: Import[] = sourceFiles(source).flatMap((file) => {
  const from = path.relative(source, file)
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith('.')) return { from, to: fileName, local: false }
    const to = path.relative(source, path.resolve(path.dirname(file), fileName))
    return { from, to, local: !to.startsWith('..') }
  })
})

const stageOf = (file: string) => file.split('/')[0] as string
const describeImport = ({ from, to }: Import) => `${from} → ${to}`

/** Local imports from files in `stage` into any of `forbidden`, minus the `allowed` targets. */
function violations(stage: string, forbidden: readonly string[], allowed: readonly string[] = []): string[] {
  return imports
    .filter(({ from, to, local }) => local && stageOf(from) === stage && forbidden.includes(stageOf(to)))
    .filter(({ to }) => !allowed.includes(to))
    .map(describeImport)
}

test('the scan sees every stage and the imports between them', () => {
  const stages = new Set(imports.map(({ from }) => stageOf(from)))
  for (const stage of ['host', 'facts', 'checks', 'engine', 'reports', 'cli', 'anycast'])
    assert.ok(stages.has(stage), `no files found in src/${stage}`)
  assert.ok(imports.some(({ from, to }) => from === 'checks/define-check.ts' && to === 'facts/index.ts'))
})

test('host/ imports no other stage', () => {
  assert.deepEqual(violations('host', ['facts', 'checks', 'engine', 'reports', 'cli', 'anycast']), [])
})

test('facts/ imports only host/, and two pure modules of anycast/', () => {
  // The anycast-* facts read the daemon's own config and BIRD's prefixes with the daemon's parsers,
  // so that assess and the daemon can never disagree about what a file says. Both modules are
  // parsers without a Host (anycast-config.ts also has a loader, which facts must not call).
  const anycastParsers = ['anycast/config/anycast-config.ts', 'anycast/ip-prefix.ts']
  assert.deepEqual(violations('facts', ['checks', 'engine', 'reports', 'cli', 'anycast'], anycastParsers), [])
  const loaders = imports
    .filter(({ from, to }) => stageOf(from) === 'facts' && to === 'anycast/config/anycast-config.ts')
    .filter(({ from }) => readFileSync(path.join(source, from), 'utf8').includes('loadAnycastConfig'))
  assert.deepEqual(loaders.map(describeImport), [])
})

test('facts/formats/ reads bytes, never a Host: it imports nothing outside itself', () => {
  const outside = imports.filter(
    ({ from, to, local }) => local && from.startsWith('facts/formats/') && !to.startsWith('facts/formats/'),
  )
  assert.deepEqual(outside.map(describeImport), [])
})

test('checks/ imports only facts/ and host/', () => {
  assert.deepEqual(violations('checks', ['engine', 'reports', 'cli', 'anycast']), [])
})

test('engine/ imports nothing from reports/, cli/ or anycast/', () => {
  assert.deepEqual(violations('engine', ['reports', 'cli', 'anycast']), [])
})

test('reports/ imports nothing from cli/ or anycast/', () => {
  assert.deepEqual(violations('reports', ['cli', 'anycast']), [])
})

test('nothing outside cli/ imports cli/', () => {
  const intoCli = imports.filter(
    ({ from, to, local }) => local && stageOf(to) === 'cli' && stageOf(from) !== 'cli',
  )
  assert.deepEqual(intoCli.map(describeImport), [])
})

test('anycast/ imports no assessment stage, only the shared ParseError of host/', () => {
  // The daemon runs on the live node and reads its own files; it shares only the parse error type.
  assert.deepEqual(
    violations('anycast', ['host', 'facts', 'checks', 'engine', 'reports', 'cli'], ['host/parse-error.ts']),
    [],
  )
})

test('facts/, checks/ and engine/ never open files or run programs themselves', () => {
  const diskModules = new Set(['fs', 'fs/promises', 'child_process', 'worker_threads'])
  const direct = imports.filter(
    ({ from, to, local }) =>
      !local &&
      ['facts', 'checks', 'engine'].includes(stageOf(from)) &&
      diskModules.has(to.replace(/^node:/, '')),
  )
  assert.deepEqual(direct.map(describeImport), [])
})

test('every module under src/ is used by src/: none is there only for tests', () => {
  // Entry points are run, not imported; declaration files only describe types. Test helpers
  // belong in test/helpers/.
  const entryPoints = ['cli/main.ts']
  const imported = new Set(imports.filter(({ local }) => local).map(({ to }) => to))
  const unused = sourceFiles(source)
    .map((file) => path.relative(source, file))
    .filter((file) => !file.endsWith('.d.ts') && !entryPoints.includes(file))
    .filter((file) => !imported.has(file))
  assert.deepEqual(unused, [])
})
