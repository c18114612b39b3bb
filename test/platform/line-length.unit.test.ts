// Lines stay readable. Biome wraps code at 120 columns but leaves alone what it cannot break: long
// strings, comments and the SQL inside sql`...`. Those are wrapped by hand, and this test holds
// every line of the TypeScript sources to a hard ceiling, so a new one cannot creep past it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CEILING = 160;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The .ts files under src/, test/ and bench/ that git tracks or would track (not ignored). */
function sources(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'src/*.ts', 'test/*.ts', 'bench/*.ts'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  // A tracked file deleted in the working tree is still listed until the deletion is staged.
  return [...new Set(listed.split('\0'))].filter((path) => path !== '' && existsSync(`${ROOT}${path}`));
}

it(`keeps every line of src/, test/ and bench/ within ${CEILING} characters`, () => {
  const files = sources();
  expect(files).toContain('src/app.ts');
  expect(files).toContain('test/platform/line-length.unit.test.ts');
  const tooLong: string[] = [];
  for (const path of files) {
    readFileSync(`${ROOT}${path}`, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Characters, not UTF-16 units: a `–` or `×` counts once, as an editor shows it.
        const length = [...line].length;
        if (length > CEILING) tooLong.push(`${path}:${i + 1}: ${length} characters`);
      });
  }
  expect(tooLong).toEqual([]);
});
