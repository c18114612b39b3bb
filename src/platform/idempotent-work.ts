// An Idempotency-Key's work commits or rolls back with the key. The HTTP layer names the key of
// the request being served (an AsyncLocalStorage store, like a request context); every change
// appends a ledger event inside its transaction, and the ledger marks the key there, in the same
// transaction. A retry whose first request committed work but lost its answer (a crash, a 500
// after the commit) is then never run a second time, and one whose work rolled back runs anew.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface KeyInWork {
  caller: string;
  key: string;
  requestHash: string;
}

const current = new AsyncLocalStorage<{ work?: KeyInWork }>();

/** Runs `next` (the rest of the life of a request that names a key) with room for that key. */
export const withRequestContext = (next: () => void): void => current.run({}, next);

/** Names the key whose work the current request is about to do. */
export function guardWork(work: KeyInWork): void {
  const store = current.getStore();
  if (store) store.work = work;
}

/**
 * Called inside every transaction that changes state (by `appendEvent`): marks the request's key,
 * if any, as committed with it.
 */
export async function markWorkDone(trx: Db): Promise<void> {
  const work = current.getStore()?.work;
  if (!work) return;
  await sql`INSERT INTO idempotency_work (caller, key, request_hash)
    VALUES (${work.caller}, ${work.key}, ${work.requestHash})
    ON CONFLICT DO NOTHING`.execute(trx);
}

/** Whether the first request of this key committed work (whose answer may have been lost). */
export async function workDone(db: Db, caller: string, key: string): Promise<{ request_hash: string } | undefined> {
  const { rows } = await sql<{
    request_hash: string;
  }>`SELECT request_hash FROM idempotency_work WHERE caller = ${caller} AND key = ${key}`.execute(db);
  return rows[0];
}
