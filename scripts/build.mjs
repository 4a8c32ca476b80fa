#!/usr/bin/env node
// Bundles the CLI into one ESM file, dist/preflight.mjs. npm packages stay external only where
// they cannot be bundled (native modules for the server, in later issues).
import { chmodSync } from 'node:fs'
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/preflight.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  // The source file's own shebang is kept by esbuild; this makes bundled CJS dependencies' require() work in ESM.
  banner: {
    js: "import { createRequire as __preflightCreateRequire } from 'node:module'; const require = __preflightCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
chmodSync('dist/preflight.mjs', 0o755)
