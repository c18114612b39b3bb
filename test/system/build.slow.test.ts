// What `npm install` builds and `npm start` runs: the JavaScript in dist/, with no TypeScript left to compile at
// run time, and every file the code reads beside itself (migrations, the EECS table, the ReDoc bundle) copied.
// The dist/ built from exactly these sources when there is one (after `npm ci`), else a build into a
// directory of its own under .tmp/ (inside the checkout, so node_modules resolves), never over the dist/ a
// running server may use.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTechnologies } from '../../src/metering/technology.ts';
import { builtIsCurrent } from '../helpers/cli.ts';
import { cliDatabase } from '../helpers/cli-database.ts';
import { freePort } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

// The dist/ `npm ci` just built from these very sources (as CI runs) is what is checked; otherwise a
// build of its own, so a stale dist/ never passes for the sources' build.
let out = join(ROOT, 'dist');
beforeAll(async () => {
  if (builtIsCurrent) return;
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  out = mkdtempSync(join(ROOT, '.tmp', 'build-'));
  await run('node', [join(ROOT, 'scripts', 'build.js'), out]);
});
afterAll(() => {
  if (!builtIsCurrent) rmSync(out, { recursive: true, force: true });
});

/** Every file of the build, relative to it. */
function built(): string[] {
  return readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(out, join(entry.parentPath, entry.name)));
}

describe('the build', () => {
  it('holds JavaScript that imports no TypeScript, and every other file of src/ unchanged', () => {
    const files = built();
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    const importsTs = /(?:from\s*|import\(\s*)["'][^"']+\.ts["']/;
    expect(files.filter((f) => f.endsWith('.js') && importsTs.test(readFileSync(join(out, f), 'utf8')))).toEqual([]);
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.ts'))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
    expect(sources).toContain('src/platform/http/vendor/redoc/redoc.standalone.js');
    for (const source of sources)
      expect(readFileSync(join(out, source)), source).toEqual(readFileSync(join(ROOT, source)));
  });

  it('prints the version of package.json for `tally --version`', async () => {
    const { stdout, stderr } = await run('node', [join(out, 'src', 'cli.js'), '--version']);
    expect([stdout, stderr]).toEqual([`${version}\n`, '']);
  });
});

describe('the built server', () => {
  const where = cliDatabase('tally-build-');

  it('migrates, serves the API with the shipped EECS table, and serves both API references', async () => {
    const port = await freePort();
    const child = spawn('node', [join(out, 'src', 'cli.js'), 'serve'], {
      env: { ...where.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    try {
      // Up when it answers; a server that stops while starting ends the wait, its error in the message.
      let health: Response | undefined;
      for (let k = 0; k < 480 && !health && child.exitCode === null; k++) {
        health = await fetch(`${url}/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 250));
      }
      expect(health, stderr).toBeDefined();
      expect(await health?.json()).toEqual({ status: 'ok', database: where.env.DATABASE_URL ? 'postgres' : 'pglite' });
      const technologies = await fetch(`${url}/api/technologies`);
      expect([technologies.status, await technologies.json()]).toEqual([200, { items: listTechnologies() }]);
      const spec = await fetch(`${url}/openapi.json`);
      expect(((await spec.json()) as { info: { version: string } }).info.version).toBe(version);
      const redoc = await fetch(`${url}/redoc/redoc.standalone.js`);
      expect(redoc.status).toBe(200);
      expect(Buffer.from(await redoc.arrayBuffer())).toEqual(
        readFileSync(join(ROOT, 'src', 'platform', 'http', 'vendor', 'redoc', 'redoc.standalone.js')),
      );
      expect((await fetch(`${url}/docs/static/swagger-ui.css`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
