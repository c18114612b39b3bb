// A server may start before its database can answer (a container started beside PostgreSQL, a
// database not created yet, a server restarting): it keeps trying, saying why, instead of dying.
// Only errors that time can mend are waited out; a wrong password or a broken migration is not one.

/** Network errors and PostgreSQL's "not now" answers: the database is not reachable yet. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '3D000', // invalid_catalog_name: the database is not created yet
  '53300', // too_many_connections
]);

/** Whether `error` says the database cannot be reached now, rather than that something is wrong. */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (UNREACHABLE.has(e.code) || e.code.startsWith('08'))) return true;
  // node-postgres reports a connection the server dropped by message only.
  return typeof e.message === 'string' && e.message.startsWith('Connection terminated');
}

/** Waits 1 s, then twice as long each time, up to 30 s between attempts. */
export const backoff = (attempt: number): number => Math.min(1000 * 2 ** attempt, 30_000);

/**
 * Runs `work` until it succeeds, telling `waiting` why and how long until the next attempt each
 * time the database cannot be reached; any other error is thrown at once.
 */
export async function patiently<T>(
  work: () => Promise<T>,
  waiting: (reason: string, retryInMs: number) => void,
  delay: (attempt: number) => number = backoff,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      const ms = delay(attempt);
      waiting((error as Error).message, ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}
