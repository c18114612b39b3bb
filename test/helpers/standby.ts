// A throwaway PostgreSQL primary and a hot standby streaming from it, made with the server's own
// binaries (initdb, pg_basebackup -R, pg_ctl) in a temporary directory, for the read-routing test.
// PostgreSQL refuses to run as root: as root, the commands run as the `postgres` user.
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './server.ts';

const execute = promisify(execFile);
const VERSIONS = '/usr/lib/postgresql';

/** The directory holding initdb, pg_basebackup and pg_ctl, newest version first, if any. */
function binaries(): string | undefined {
  if (!existsSync(VERSIONS)) return undefined;
  const newest = readdirSync(VERSIONS)
    .filter((v) => existsSync(join(VERSIONS, v, 'bin', 'pg_basebackup')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return newest && join(VERSIONS, newest, 'bin');
}

/** The uid and gid of `postgres`, when this process is root and must hand the cluster to it. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) => Number((await execute('id', [flag, 'postgres'])).stdout)),
  );
  return { uid: uid!, gid: gid! };
}

/** Why this machine cannot make the pair, or undefined when it can. */
export async function standbyImpossible(): Promise<string | undefined> {
  if (!binaries()) return `no PostgreSQL server binaries under ${VERSIONS} (initdb, pg_basebackup, pg_ctl)`;
  try {
    await serverUser();
  } catch {
    return 'running as root, and there is no postgres user to run the server as';
  }
  return undefined;
}

export interface StandbyPair {
  primaryUrl: string;
  standbyUrl: string;
  /** Runs one statement on the primary or the standby (superuser), for the test's own checks. */
  query<T extends pg.QueryResultRow>(on: 'primary' | 'standby', sqlText: string, params?: unknown[]): Promise<T[]>;
  /** Waits until the standby has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stopStandby(): Promise<void>;
  close(): Promise<void>;
}

export async function startStandbyPair(): Promise<StandbyPair> {
  const bin = binaries()!;
  const user = await serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'tally-standby-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]) =>
    user ? execute('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : execute(join(bin, tool), args);
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const started: string[] = [];
  const stop = async (data: string) => {
    if (!started.includes(data)) return;
    started.splice(started.indexOf(data), 1);
    await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  };
  const close = async () => {
    await stop(standby);
    await stop(primary);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('initdb', ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    appendFileSync(
      join(primary, 'postgresql.conf'),
      `listen_addresses = '127.0.0.1'\nport = ${primaryPort}\nunix_socket_directories = '${dir}'\nfsync = off\n`,
    );
    await run('pg_ctl', ['-D', primary, '-l', join(dir, 'primary.log'), '-w', 'start']);
    started.push(primary);
    await run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standby,
      '-R',
      '-X',
      'stream',
    ]);
    await run('pg_ctl', ['-D', standby, '-l', join(dir, 'standby.log'), '-o', `-p ${standbyPort}`, '-w', 'start']);
    started.push(standby);
  } catch (err) {
    await close();
    throw err;
  }
  const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const query: StandbyPair['query'] = async (on, sqlText, params = []) => {
    const client = new pg.Client({ connectionString: urlOf(on === 'primary' ? primaryPort : standbyPort) });
    await client.connect();
    try {
      return (await client.query(sqlText, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl: urlOf(primaryPort),
    standbyUrl: urlOf(standbyPort),
    query,
    async caughtUp() {
      const [{ lsn }] = (await query<{ lsn: string }>(
        'primary',
        'SELECT pg_current_wal_insert_lsn()::text AS lsn',
      )) as [{ lsn: string }];
      for (;;) {
        const [row] = await query<{ done: boolean }>(
          'standby',
          'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
          [lsn],
        );
        if (row?.done) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stopStandby: () => stop(standby),
    close,
  };
}
