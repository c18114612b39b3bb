#!/usr/bin/env node
// Builds the JavaScript that `npm start` and the `tally` command run, so nothing compiles TypeScript at run
// time: dist/ (or the directory given) is emptied first, so a file deleted from src/ (a migration above all)
// cannot live on there; then tsc compiles src/ and bench/ (and writes the package.json they import, for the
// version); then every other file of src/ (the SQL migrations, the EECS label table, the vendored ReDoc bundle)
// is copied beside the code that reads it; last Vite builds the web UI (web/) into dist/web, which the server
// serves at `/`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, process.argv[2] ?? 'dist');

let tsc;
let vite;
try {
  const require = createRequire(import.meta.url);
  tsc = require.resolve('typescript/bin/tsc');
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  // `npm ci --omit=dev` still runs `prepare`, without the compiler.
  process.stderr.write(
    'build: TypeScript and Vite are dev dependencies: install with them (npm ci), then npm prune --omit=dev\n',
  );
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(out, relative(root, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--config', join(root, 'web', 'vite.config.ts')], {
  stdio: 'inherit',
  env: { ...process.env, TALLY_WEB_OUT: join(out, 'web') },
});
