// Plain SQL migrations, owned by the module whose tables they create: src/<module>/migrations/NNNN_name.sql.
// They run in the order of their number across modules, each in its own transaction, once.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';
import { sql } from 'kysely';
import { platform } from './tables.ts';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** Any constant shared by every Tally instance: only one of them migrates at a time. */
const MIGRATION_LOCK = 7_346_001;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(): Migration[] {
  const files: string[] = [];
  for (const module of readdirSync(SRC)) {
    const dir = join(SRC, module, 'migrations');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.sql')) files.push(join(dir, f));
  }
  return files
    .map((file) => {
      const sql = readFileSync(file, 'utf8');
      return { name: basename(file, '.sql'), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The names of the migrations this code ships: read from disk once (readiness asks every few seconds). */
let knownNames: string[] | undefined;

/** The migrations this code knows that the database has not applied (all of them on a new database). */
export async function pendingMigrations(database: Database): Promise<string[]> {
  knownNames ??= listMigrations().map((m) => m.name);
  const names = knownNames;
  const { rows } = await sql<{ table: string | null }>`SELECT to_regclass('schema_migrations')::text AS table`.execute(
    database.kysely,
  );
  if (!rows[0]?.table) return names;
  const applied = await platform(database.kysely).selectFrom('schema_migrations').select('name').execute();
  const done = new Set(applied.map((r) => r.name));
  return names.filter((name) => !done.has(name));
}

/**
 * Applies every migration not yet applied (only those named before `opts.before`, when given: a
 * test of how a migration treats data written before it); returns the names applied now.
 */
export async function migrate(database: Database, opts: { before?: string } = {}): Promise<string[]> {
  // Under the lock: two processes creating the table at once would otherwise collide on its type's
  // name (IF NOT EXISTS does not guard against a concurrent CREATE).
  await database.exec(`BEGIN;
SELECT pg_advisory_xact_lock(${MIGRATION_LOCK});
CREATE TABLE IF NOT EXISTS schema_migrations (
  name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
COMMIT;`);
  const applied = new Map<string, string>();
  const rows = await platform(database.kysely).selectFrom('schema_migrations').select(['name', 'checksum']).execute();
  for (const r of rows) applied.set(r.name, r.checksum);

  const done: string[] = [];
  for (const m of listMigrations()) {
    if (opts.before !== undefined && m.name >= opts.before) break;
    const known = applied.get(m.name);
    if (known !== undefined) {
      if (known !== m.checksum)
        throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
      continue;
    }
    // The bookkeeping row goes in first, under the lock: a second instance racing us fails on
    // its primary key before touching any table, and its whole transaction rolls back.
    try {
      await database.exec(`BEGIN;
SELECT pg_advisory_xact_lock(${MIGRATION_LOCK});
INSERT INTO schema_migrations (name, checksum) VALUES ('${m.name}', '${m.checksum}');
${m.sql}
;COMMIT;`);
    } catch (err) {
      const again = await platform(database.kysely)
        .selectFrom('schema_migrations')
        .select('name')
        .where('name', '=', m.name)
        .executeTakeFirst();
      if (again) continue; // another instance applied it meanwhile
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
    }
    done.push(m.name);
  }
  return done;
}
