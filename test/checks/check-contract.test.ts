/**
 * The contract every check keeps (style guide item 10), run over the whole catalogue: adding a
 * check to src/checks/index.ts puts it under these tests without writing any.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, test } from 'node:test'
import type { AnyCheck } from '../../src/checks/define-check.ts'
import { checkGroups } from '../../src/checks/define-check.ts'
import { allChecks } from '../../src/checks/index.ts'
import { statuses } from '../../src/checks/result.ts'
import { assess } from '../../src/engine/assess.ts'
import { factClosure } from '../../src/engine/gather.ts'
import type { AnyFact } from '../../src/facts/define-fact.ts'
import { allFacts } from '../../src/facts/index.ts'
import { openHost } from '../../src/host/host.ts'
import { withTempRoot } from '../helpers/temp-root.ts'

const checksDirectory = path.join(import.meta.dirname, '../../src/checks')

/** `ssh-slow-login` → `sshSlowLogin` */
const camelCase = (kebab: string) =>
  kebab.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())

/** Every check object a module in src/checks/ exports, with its file and export name. */
async function exportedChecks(): Promise<{ file: string; exportName: string; check: AnyCheck }[]> {
  const files = (await readdir(checksDirectory)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  const found: { file: string; exportName: string; check: AnyCheck }[] = []
  for (const file of files) {
    const module: Record<string, unknown> = await import(path.join(checksDirectory, file))
    for (const [exportName, value] of Object.entries(module)) {
      if (value && typeof value === 'object' && 'id' in value && 'run' in value && 'needs' in value)
        found.push({ file, exportName, check: value as AnyCheck })
    }
  }
  return found
}

describe('every check in allChecks', () => {
  test('has a unique id of the form <group>.<kebab-name>, with its own group', () => {
    const ids = allChecks.map((check) => check.id)
    assert.deepEqual(
      ids.filter((id, index) => ids.indexOf(id) !== index),
      [],
      'duplicate check ids',
    )
    for (const check of allChecks) {
      assert.ok(Object.hasOwn(checkGroups, check.group), `${check.id}: unknown group ${check.group}`)
      assert.match(check.id, /^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/, `${check.id}: not group.kebab-name`)
      assert.equal(check.id.split('.')[0], check.group, `${check.id}: id does not start with its group`)
    }
  })

  test('has a title and a description', () => {
    for (const check of allChecks) {
      assert.ok(check.title.trim().length > 0, `${check.id}: empty title`)
      assert.ok(check.description.trim().length > 0, `${check.id}: empty description`)
    }
  })

  test('needs only facts that exist, each once', () => {
    for (const check of allChecks) {
      for (const need of check.needs)
        assert.ok(Object.hasOwn(allFacts, need), `${check.id}: needs unknown fact ${String(need)}`)
      assert.equal(new Set(check.needs).size, check.needs.length, `${check.id}: a fact is listed twice`)
    }
  })

  // A file is named after the id's name (ssh-slow-login.ts holds network.ssh-slow-login), or after
  // the whole id where the name alone would not say enough (system-version.ts holds system.version).
  test('lives in a file named after its id and its export, and is registered', async () => {
    const exported = await exportedChecks()
    for (const check of allChecks) {
      const home = exported.filter((entry) => entry.check === check)
      assert.equal(home.length, 1, `${check.id}: exported by ${home.length} modules in src/checks`)
      const [{ file, exportName }] = home as [(typeof home)[number]]
      const base = file.replace(/\.ts$/, '')
      assert.equal(exportName, camelCase(base), `${check.id}: ${file} exports ${exportName}`)
      const name = check.id.slice(check.id.indexOf('.') + 1)
      assert.ok(
        base === name || base === `${check.group}-${name}`,
        `${check.id}: file ${file} is neither ${name}.ts nor ${check.group}-${name}.ts`,
      )
    }
    const unregistered = exported.filter((entry) => !allChecks.includes(entry.check))
    assert.deepEqual(
      unregistered.map((entry) => `${entry.file}#${entry.exportName}`),
      [],
      'checks missing from allChecks',
    )
  })
})

/**
 * Nearly empty roots: an os-release, /usr and root in /etc/passwd. The CentOS one has no package
 * database (the package facts fail, and the checks needing them are errors with that message); the
 * Debian one has an empty dpkg status, so the package checks run on zero packages.
 */
const minimalRoots: Record<string, { files: Record<string, string>; failingFacts: string[] }> = {
  'CentOS 7': {
    failingFacts: ['installedPackages'],
    files: {
      'etc/os-release': [
        'NAME="CentOS Linux"',
        'VERSION="7 (Core)"',
        'ID="centos"',
        'ID_LIKE="rhel fedora"',
        'VERSION_ID="7"',
        'PRETTY_NAME="CentOS Linux 7 (Core)"',
        '',
      ].join('\n'),
      'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    },
  },
  'Debian 12': {
    failingFacts: [],
    files: {
      'etc/os-release': [
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
        'NAME="Debian GNU/Linux"',
        'VERSION_ID="12"',
        'VERSION="12 (bookworm)"',
        'VERSION_CODENAME=bookworm',
        'ID=debian',
        '',
      ].join('\n'),
      'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
      'var/lib/dpkg/status': '',
    },
  },
}

async function withMinimalRoot<T>(files: Record<string, string>, body: (root: string) => Promise<T>) {
  return withTempRoot(files, async (root) => {
    await mkdir(path.join(root, 'usr'))
    return body(root)
  })
}

/** Errors a collector or check only throws by mistake: a bug, never a finding about the host. */
function isProgrammingError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError
  )
}

const crashText =
  /TypeError|RangeError|ReferenceError|Cannot read properties|is not a function|is not iterable/

for (const [name, { files, failingFacts }] of Object.entries(minimalRoots)) {
  describe(`on a minimal ${name} root`, () => {
    test('every check finishes with a valid status and none crashes', async () => {
      await withMinimalRoot(files, async (root) => {
        const { assessment } = await assess(openHost({ root }), allChecks)
        assert.ok(assessment.target, 'no target release: every check would be an error')
        assert.deepEqual(
          assessment.results.map((result) => result.id).sort(),
          allChecks.map((check) => check.id).sort(),
        )
        for (const result of assessment.results) {
          assert.ok(statuses.includes(result.status), `${result.id}: status ${result.status}`)
          assert.doesNotMatch(result.error ?? '', /^the check crashed/, result.id)
          assert.doesNotMatch(result.error ?? '', crashText, result.id)
          if (result.status !== 'error') continue
          // The only errors allowed here are facts the check needs that could not be gathered.
          const needs = allChecks.find((check) => check.id === result.id)?.needs ?? []
          const titles = needs.map((need) => allFacts[need as keyof typeof allFacts].title)
          assert.ok(
            titles.some((title) => result.error?.startsWith(`${title}: `)),
            `${result.id}: ${result.error}`,
          )
        }
      })
    })

    test('every fact is gathered or fails with a message, never with a programming error', async () => {
      await withMinimalRoot(files, async (root) => {
        const host = openHost({ root })
        const values = new Map<string, unknown>()
        const failures: string[] = []
        for (const fact of factClosure(Object.values(allFacts) as AnyFact[])) {
          const dependencies = Object.entries(fact.needs as Record<string, AnyFact>)
          if (dependencies.some(([, dependency]) => !values.has(dependency.id))) continue
          const needs = Object.fromEntries(
            dependencies.map(([key, dependency]) => [key, values.get(dependency.id)]),
          )
          try {
            values.set(fact.id, await fact.collect({ host, progress() {} }, needs))
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error)
            assert.ok(!isProgrammingError(error), `${fact.id} threw ${String(error)}`)
            assert.doesNotMatch(message, crashText, fact.id)
            assert.ok(message.trim().length > 0, `${fact.id} threw without a message`)
            failures.push(fact.id)
          }
        }
        assert.deepEqual(failures, failingFacts)
      })
    })
  })
}
