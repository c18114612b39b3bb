// The tiers that start a server keep their modules between test files (vitest.config.ts): a module
// mock there would outlive its file and change what the next file in the worker runs. Mocks belong
// in the isolated unit tier; this holds every other test file to it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('mocks no module outside the unit tier (test/**/*.unit.test.ts)', () => {
  const files = testFiles(join(ROOT, 'test')).filter((f) => !f.endsWith('.unit.test.ts'));
  expect(files.map((f) => relative(ROOT, f))).toContain('test/helpers/server.ts');
  const mocking = files
    .filter((f) => /\bvi\.(mock|doMock|stubGlobal|stubEnv)\(/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  // test/helpers/no-database.ts is the unit tier's own setup file.
  expect(mocking).toEqual(['test/helpers/no-database.ts']);
});
