// The arguments to `node` that run the `tally` command in tests: the built dist/src/cli.js when it was
// built from exactly the sources beside it (nothing under src/, nor package.json, changed since; so
// `npm ci` then `npm test`, as CI runs, spawns it without transpiling on every start), else src/cli.ts
// through tsx. Either way a test runs the sources it sits beside, never a dist/ left from an earlier
// build. test/system/build.slow.test.ts checks that dist/ when current, else a fresh build of its own.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SOURCE_CLI = join(ROOT, 'src', 'cli.ts');
const BUILT_CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** When anything the build reads last changed: every file under src/, and package.json. */
function sourcesChanged(): number {
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  for (const entry of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/** Whether dist/ was built from exactly these sources (as `npm ci` leaves it). */
export const builtIsCurrent = existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs >= sourcesChanged();

export const TALLY = builtIsCurrent ? [BUILT_CLI] : ['--import', 'tsx', SOURCE_CLI];
