// Running Tally as operations do: several processes started at once on one fresh PostgreSQL
// database all come up (one applies the migrations and creates the first admin, the others wait
// and find them), and a SIGTERM stops a process gracefully: the request in flight is answered, no
// new connection is taken, one line says what was done, and it exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { TALLY } from '../helpers/cli.ts';
import { cliDatabase } from '../helpers/cli-database.ts';
import { emptyServerDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const ADMIN = { TALLY_ADMIN_EMAIL: 'root@example.com', TALLY_ADMIN_PASSWORD: 'root-password-1' };

/** `tally serve` on `port`, its log lines collected; `ready` settles once it serves (or exits first). */
const serve = (env: NodeJS.ProcessEnv, port: number) => serveWith(['serve'], env, port);

/** A `tally` command that serves on `port` (`serve`, `jobs`), as `serve` above. */
function serveWith(command: string[], env: NodeJS.ProcessEnv, port: number) {
  const child = spawn('node', [...TALLY, ...command], {
    env: { ...env, ...ADMIN, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const ready = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (line.includes('"msg":"Tally is serving"')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, ready, exited, stderr: () => stderr };
}

const stop = async (child: ChildProcess, exited: Promise<number | null>) => {
  if (child.exitCode === null) child.kill('SIGTERM');
  return exited;
};

const login = (port: number) =>
  fetch(`http://127.0.0.1:${port}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.TALLY_ADMIN_EMAIL, password: ADMIN.TALLY_ADMIN_PASSWORD }),
  });

describe.skipIf(!process.env.TEST_DATABASE_URL)('three processes starting at once on a fresh database', () => {
  it('all serve, with the migrations applied once and one first admin', async () => {
    const db = await emptyServerDatabase(process.env.TEST_DATABASE_URL as string);
    const ports = [await freePort(), await freePort(), await freePort()];
    const env = { ...process.env, DATABASE_URL: db.url, TALLY_JOB_INTERVAL: '3600' };
    const processes = ports.map((port) => serve(env, port));
    try {
      const started = await Promise.all(processes.map((p) => p.ready));
      expect(started, processes.map((p) => p.stderr()).join('\n')).toEqual([true, true, true]);
      for (const port of ports) expect((await login(port)).status).toBe(200);
    } finally {
      for (const p of processes) await stop(p.child, p.exited);
      await db.drop();
    }
  });
});

describe('a graceful stop', () => {
  const where = cliDatabase('tally-stop-');

  it('answers the request in flight, takes no new connection, says so and exits 0', async () => {
    const port = await freePort();
    const p = serve(where.env, port);
    try {
      expect(await p.ready).toBe(true);
      const { access } = (await (await login(port)).json()) as { access: string };

      // A request whose body is still arriving when the stop begins.
      const body = JSON.stringify({ account_name: 'Arrived during the stop' });
      let newConnection: Promise<string> | undefined;
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/accounts',
            headers: {
              authorization: `Bearer ${access}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          p.child.kill('SIGTERM');
          // Once the stop has begun, the listener is closed to new connections.
          setTimeout(() => {
            newConnection = fetch(`http://127.0.0.1:${port}/health/live`).then(
              () => 'answered',
              () => 'refused',
            );
            void newConnection.then(() => req.end(body.slice(10)));
          }, 500);
        }, 200);
      });
      const { status, body: text } = await answer;
      expect(await newConnection).toBe('refused');
      expect([status, JSON.parse(text).account_name]).toEqual([201, 'Arrived during the stop']);
      expect(await p.exited).toBe(0);
      const stopped = p.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Tally stopped');
      expect(stopped).toMatchObject({ signal: 'SIGTERM', requests_in_flight: 1, finished_in_time: true });
    } finally {
      await stop(p.child, p.exited);
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the API and the jobs in processes of their own', () => {
  it('serves the API from `serve --no-jobs` and runs the jobs in `tally jobs`, each with health and metrics', async () => {
    const db = await emptyServerDatabase(process.env.TEST_DATABASE_URL as string);
    const [apiPort, jobsPort] = [await freePort(), await freePort()];
    const env = { ...process.env, DATABASE_URL: db.url, TALLY_JOB_INTERVAL: '1' };
    const api = serveWith(['serve', '--no-jobs'], env, apiPort);
    const jobs = serveWith(['jobs'], env, jobsPort);
    const text = async (port: number, path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    try {
      expect(await Promise.all([api.ready, jobs.ready]), api.stderr() + jobs.stderr()).toEqual([true, true]);
      const [apiStart, jobsStart] = [api, jobs].map((p) =>
        p.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Tally is serving'),
      );
      expect([apiStart.runs, jobsStart.runs]).toEqual([['api'], ['jobs']]);

      // The API process runs no jobs; the jobs process serves no API.
      expect(JSON.parse(await text(apiPort, '/health/ready')).checks.jobs).toBe('skipped');
      expect(JSON.parse(await text(jobsPort, '/health/ready')).checks).toEqual({
        database: 'ok',
        migrations: 'ok',
        jobs: 'ok',
      });
      const { access } = (await (await login(apiPort)).json()) as { access: string };
      expect((await login(jobsPort)).status).toBe(404);

      // A change made through the API is sealed by the jobs process.
      const made = await fetch(`http://127.0.0.1:${apiPort}/api/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_name: 'Sealed elsewhere' }),
      });
      expect(made.status).toBe(201);
      await until(async () => /\ntally_ledger_unsealed_events 0\n/.test(await text(apiPort, '/metrics')));
      expect(await text(jobsPort, '/metrics')).toMatch(/tally_job_runs_total\{job="seal-ledger"[^}]*\} [1-9]/);
      expect(await text(apiPort, '/metrics')).not.toMatch(/tally_job_runs_total\{/);
    } finally {
      await stop(api.child, api.exited);
      await stop(jobs.child, jobs.exited);
      await db.drop();
    }
  });
});
