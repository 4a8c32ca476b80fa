#!/bin/sh
# The whole test suite: set-up, type-check, lint, then every test (unit and integration).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
npx tsc --noEmit -p .
npx biome check .
node scripts/run-tests.mjs "$@"
