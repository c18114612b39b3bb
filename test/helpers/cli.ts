// The arguments to `node` that run the `tally` command in tests: src/cli.ts through tsx, so a test runs the
// sources beside it, never a dist/ left from an earlier build (test/build.test.ts runs the built command).
import { join } from 'node:path';

export const TALLY = ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli.ts')];
