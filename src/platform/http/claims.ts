// Who is working on an Idempotency-Key right now. A claim is never a committed row: it lives
// exactly as long as the process holding it, so a process killed mid-request (kill -9, a lost
// server) leaves nothing behind and the retry is served at once. Only finished answers are stored.
import { createHash } from 'node:crypto';
import type { Database, Session } from '../database.ts';

/** Takes the claim on `id`, or answers undefined while someone else holds it; call the release once done. */
export interface Claims {
  take(id: string): Promise<(() => Promise<void>) | undefined>;
  close(): Promise<void>;
}

/** PGlite: this process is the database, so its memory is the whole truth about claims. */
function processClaims(): Claims & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async take(id) {
      if (held.has(id)) return undefined;
      held.add(id);
      return async () => {
        held.delete(id);
      };
    },
    async close() {},
  };
}

/** A claim's advisory lock key: 64 bits of its SHA-256, so distinct keys do not meet in practice. */
const lockKey = (id: string) =>
  BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(`idempotency\n${id}`).digest('hex').slice(0, 16)}`),
  ).toString();

/**
 * A server shared by several instances: a session advisory lock on one connection of this
 * process's own. PostgreSQL frees it when that connection ends, which a dead process's does.
 * Session locks nest within one session, so claims inside this process are also kept in memory.
 * If the server ends that session while requests are at work, their claims are gone with it and
 * another instance could start the same key: the price of never leaving a key stuck.
 */
function serverClaims(open: () => Promise<Session>): Claims {
  const local = processClaims();
  let session: Promise<Session> | undefined;
  const current = () => {
    session ??= open().then(
      (s) => {
        s.onEnd(() => {
          session = undefined;
        });
        return s;
      },
      (err) => {
        session = undefined;
        throw err;
      },
    );
    return session;
  };
  const tryLock = async (key: string) => {
    const s = await current();
    const { rows } = await s.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
    return { s, ok: rows[0]?.ok === true };
  };
  return {
    async take(id) {
      const releaseLocal = await local.take(id);
      if (!releaseLocal) return undefined;
      const key = lockKey(id);
      let lock: Awaited<ReturnType<typeof tryLock>>;
      try {
        // A session the server ended since the last claim fails once; a new one then answers.
        lock = await tryLock(key).catch(async () => {
          const stale = session;
          session = undefined;
          // Ended, or broken some other way: either way it is closed before a new one is opened.
          await stale?.then((s) => s.end()).catch(() => {});
          return tryLock(key);
        });
      } catch (err) {
        await releaseLocal();
        throw err;
      }
      if (!lock.ok) {
        await releaseLocal();
        return undefined;
      }
      const { s } = lock;
      return async () => {
        // If that session has ended, the server already freed the lock.
        await s.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
        await releaseLocal();
      };
    },
    async close() {
      const s = session;
      session = undefined;
      if (s) await (await s).end();
    },
  };
}

export function claimsFor(database: Database): Claims {
  return database.openSession ? serverClaims(database.openSession) : processClaims();
}
