// The embedded database as a newcomer meets it: `npm start` in one terminal, CLI commands in
// another, a second server by mistake, and a crash. PGlite belongs to one process; everyone else
// must go through that process, and nothing committed may ever be lost.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/server.ts';
import { serving } from '../helpers/serving.ts';
import { TALLY } from '../helpers/cli.ts';

const run = promisify(execFile);
const ADMIN = { email: 'root@example.com', password: 'root-password-1' };

interface Served {
  child: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<number | null>;
  /** True once it serves, false if it exits first. */
  serving: Promise<boolean>;
}

describe.skipIf(process.env.TEST_DATABASE_URL)('one process owns the embedded database', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tally-embedded-'));
    env = {
      ...process.env,
      TALLY_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      TALLY_ADMIN_EMAIL: ADMIN.email,
      TALLY_ADMIN_PASSWORD: ADMIN.password,
    };
    delete env.DATABASE_URL;
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(): Promise<Served> {
    const port = await freePort();
    const child = spawn('node', [...TALLY, 'serve'], {
      env: { ...env, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr, exited, serving: serving(child) };
  }

  async function login(url: string, email: string, password: string): Promise<string> {
    const res = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access: string }).access;
  }

  it('refuses a second `tally serve` on the directory, naming the holder, and the first keeps serving', async () => {
    const first = await serve();
    expect(await first.serving).toBe(true);
    const second = await serve();
    expect(await second.exited).toBe(2);
    expect(second.stderr()).toContain(`is in use by process ${first.child.pid} (tally serve)`);
    expect(second.stderr()).not.toMatch(/\s+at /);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
  });

  it('lets exactly one of two servers started at the same moment open the directory', async () => {
    const both = [await serve(), await serve()];
    // Whichever loses exits; the other serves.
    const loser = await Promise.race(both.map((s) => s.exited.then(() => s)));
    const winner = both.find((s) => s !== loser)!;
    expect(await loser.exited).toBe(2);
    expect(loser.stderr()).toContain(`is in use by process ${winner.child.pid} (tally serve)`);
    expect(await winner.serving).toBe(true);
    expect(winner.child.exitCode).toBeNull();
  });

  it('runs `npm run seed` through the running server, whose users then log in there; check and verify go through it too', async () => {
    const server = await serve();
    expect(await server.serving).toBe(true);
    const admin = await login(server.url, ADMIN.email, ADMIN.password);
    const seeding = run('node', [...TALLY, 'seed', '--days', '2'], { env });
    // While the seed borrows the server's database, the server's own requests wait their turn and succeed.
    let seeded = false;
    void seeding.finally(() => {
      seeded = true;
    });
    const during: number[] = [];
    while (!seeded)
      during.push((await fetch(`${server.url}/api/users`, { headers: { authorization: `Bearer ${admin}` } })).status);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((status) => status !== 200)).toEqual([]);
    const seed = await seeding;
    const credentials = /as (\S+@tally\.example) \(admin\).* with the password (\S+) \(/.exec(seed.stdout);
    expect(credentials, seed.stdout).not.toBeNull();
    const token = await login(server.url, credentials![1]!, credentials![2]!);
    const me = await fetch(`${server.url}/api/user/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { email: string }).email).toBe(credentials![1]);
    expect((await run('node', [...TALLY, 'check'], { env })).stdout).toMatch(/^ok: /);
    expect((await run('node', [...TALLY, 'ledger', 'verify'], { env })).stdout).toMatch(/^ok: /);
    const created = await run(
      'node',
      [...TALLY, 'user', 'create', '--email', 'cli@example.com', '--password', 'cli-password-1'],
      { env },
    );
    expect(created.stdout).toMatch(/created user \d+ <cli@example.com> with role trader/);
    await login(server.url, 'cli@example.com', 'cli-password-1');
    expect(server.child.exitCode).toBeNull();
  });

  it('loses nothing committed when the server is killed (-9) in a burst of writes', async () => {
    const first = await serve();
    expect(await first.serving).toBe(true);
    const token = await login(first.url, ADMIN.email, ADMIN.password);
    const committed: { id: number; email: string }[] = [];
    let sent = 0;
    // Four writers create users until the server dies; every 201 is a commit the server promised.
    const writer = async () => {
      for (;;) {
        const email = `burst-${sent++}@example.com`;
        const res = await fetch(`${first.url}/api/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ email, password: 'burst-password-1', name: 'Burst', role: 'trader' }),
        }).catch(() => undefined);
        if (!res) return;
        if (res.status === 201) committed.push({ id: ((await res.json()) as { id: number }).id, email });
        if (committed.length >= 12 && first.child.exitCode === null) first.child.kill('SIGKILL');
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await first.exited;
    expect(committed.length).toBeGreaterThanOrEqual(12);

    const again = await serve();
    expect(await again.serving).toBe(true);
    const admin = await login(again.url, ADMIN.email, ADMIN.password);
    const users = (await (
      await fetch(`${again.url}/api/users`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { items: { id: number; email: string }[] };
    const found = new Map(users.items.map((u) => [u.id, u.email]));
    for (const c of committed) expect(found.get(c.id)).toBe(c.email);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    // With nothing serving, the commands open the directory themselves.
    expect((await run('node', [...TALLY, 'check'], { env })).stdout).toMatch(/^ok: /);
    expect((await run('node', [...TALLY, 'ledger', 'verify'], { env })).stdout).toMatch(/^ok: /);
  });
});
