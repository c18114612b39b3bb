// The Docker image's steps, proved the other way round (images cannot be pulled here): the files of
// this checkout copied to a clean directory, installed by scripts/deploy/install.sh exactly as the
// Dockerfile runs it (production dependencies only, the JavaScript built), then started with the
// image's command. It becomes ready (/health/ready, the image's HEALTHCHECK), serves its first admin,
// and stops gracefully on SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliDatabase } from '../helpers/cli-database.ts';
import { serving } from '../helpers/serving.ts';
import { freePort } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** The image's command, as the Dockerfile's CMD names it. */
const imageCommand = (): string[] => {
  const cmd = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^CMD (\[.*\])$/m)?.[1];
  return JSON.parse(cmd ?? '[]') as string[];
};

let app: string;
beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'tally-deploy-'));
  // A clean checkout: the files git tracks or would (not ignored), as they are in this working tree.
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(app, file));
  }
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain('RUN sh scripts/deploy/install.sh');
  await run('sh', ['scripts/deploy/install.sh'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
}, 600_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

// Installing and building a clean copy is the same whichever database the suite runs on, and the
// minutes it takes count twice in CI: it runs with the embedded database, as the image starts without
// DATABASE_URL; build.slow.test.ts starts the built server on PostgreSQL in the other pass.
describe.skipIf(process.env.TEST_DATABASE_URL)('the deployment', () => {
  const where = cliDatabase('tally-deploy-data-');

  it('holds the built JavaScript and the production dependencies only', () => {
    expect(existsSync(join(app, 'dist', 'src', 'cli.js'))).toBe(true);
    // (TypeScript stays: viem names it as a peer dependency.)
    for (const dev of ['vitest', '@biomejs/biome', 'hardhat', 'solc', 'tsx'])
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    for (const runtime of ['fastify', 'kysely', '@electric-sql/pglite', 'pg', 'viem'])
      expect(existsSync(join(app, 'node_modules', runtime)), runtime).toBe(true);
  });

  it('starts with the image command, becomes ready, serves its first admin and stops on SIGTERM', async () => {
    const port = await freePort();
    const [command, ...args] = imageCommand();
    expect([command, ...args]).toEqual(['node', 'bin/tally.js', 'serve']);
    const child = spawn(command as string, args, {
      cwd: app,
      env: {
        ...where.env,
        NODE_ENV: 'production',
        PORT: String(port),
        LOG_LEVEL: 'info',
        TALLY_ADMIN_EMAIL: 'ops@example.com',
        TALLY_ADMIN_PASSWORD: 'ops-password-1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      expect(await serving(child)).toBe(true);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([
        200,
        { status: 'ready', checks: { database: 'ok', migrations: 'ok', jobs: 'ok' } },
      ]);
      const login = await fetch(`http://127.0.0.1:${port}/api/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.com', password: 'ops-password-1' }),
      });
      expect(login.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
