#!/bin/sh
# What the Docker image runs to install Tally, and what test/system/deploy.slow.test.ts runs on a
# clean checkout to prove those steps (images cannot be pulled everywhere the tests run): every
# dependency from the lock file, the JavaScript built (npm's `prepare` step runs scripts/build.js
# into dist/), then the development dependencies dropped again.
set -eu
npm ci --no-audit --no-fund
npm prune --omit=dev --no-audit --no-fund
