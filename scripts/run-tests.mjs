#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test (tsx as the loader). Node 20's --test
// takes no globs, so the files are listed here. Extra arguments are passed to node (e.g. a filter).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'

function findTests(dir, found = []) {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return found
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'fixtures') continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) findTests(full, found)
    else if (entry.name.endsWith('.test.ts')) found.push(full)
  }
  return found
}

const args = process.argv.slice(2)
const explicit = args.filter((a) => a.endsWith('.test.ts'))
const nodeArgs = args.filter((a) => !a.endsWith('.test.ts'))
const files = explicit.length > 0 ? explicit : [...findTests('src'), ...findTests('test')].sort()
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...nodeArgs, ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
