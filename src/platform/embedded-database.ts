// Opens an embedded database directory the only safe way: the first process takes the directory's
// lock, opens PGlite and lends its session to everyone else; any other process borrows that
// session over the socket beside the directory, never touching the files. Two writers never both
// write, and a process that must own the directory itself (a server) is refused with the holder's name.
import { mkdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Database } from './database-interface.ts';
import { lockDirectory } from './directory-lock.ts';
import { conflict } from './errors.ts';
import { sessionDatabase, type SessionPool } from './session-pool.ts';
import { borrowSessions, serveSessions } from './session-socket.ts';

export interface DirectoryUse {
  /** How a refused process names this one: the command it runs, e.g. `tally serve`. */
  owner: string;
  /** True for a process that must open the files itself: refused while another holds them. */
  exclusive: boolean;
}

export type OpenSession = (dir: string) => Promise<{ pool: SessionPool; close(): Promise<void> }>;

/**
 * A holder that is starting (not listening yet) or stopping (not listening any more) is waited for
 * this often, this long.
 */
const RETRY_MS = 100;
const RETRIES = 300;

export async function openEmbedded(dir: string, open: OpenSession, use: DirectoryUse): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const socketPath = `${dir}.sock`;
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const lock = await lockDirectory(dir);
    if (lock) {
      const opening = open(dir);
      const lending = await serveSessions(
        socketPath,
        { pid: process.pid, command: use.owner },
        opening.then((o) => o.pool),
      );
      const session = await opening.catch(async (err: unknown) => {
        await lending.close();
        await lock.release();
        throw err;
      });
      return sessionDatabase(session.pool, async () => {
        // Borrowers finish first; the lock goes last, once the files are closed.
        await lending.close();
        await session.close();
        await lock.release();
      });
    }
    const borrowed = await borrowSessions(socketPath);
    if (borrowed && !use.exclusive) return sessionDatabase(borrowed.pool, borrowed.close);
    if (borrowed) {
      await borrowed.close();
      throw conflict(
        'database_in_use',
        `the embedded database ${dir} is in use by process ${borrowed.holder.pid} (${borrowed.holder.command}); ` +
          'stop it first (while it runs, CLI commands go through it)',
      );
    }
    await delay(RETRY_MS);
  }
  throw conflict(
    'database_in_use',
    `the embedded database ${dir} is locked by a process that does not answer on ${socketPath}`,
  );
}
