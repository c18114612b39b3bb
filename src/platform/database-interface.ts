// The database as every module sees it, whatever engine is underneath (database.ts opens one).
// Its own file, so the engines' files (embedded-database.ts, session-pool.ts) can name it without
// importing the file that imports them.
import type { Context } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Replica } from './replica.ts';

/**
 * A query builder or an open transaction, typed with no table at all: each module reads it through
 * the typed view of the tables it owns (its `tables.ts`), so a wrong column fails the compiler.
 */
export type Db = Kysely<unknown>;

export interface Database {
  /** The query builder; every module narrows it to the tables it owns. */
  readonly kysely: Db;
  readonly engine: 'pglite' | 'postgres';
  /**
   * Bulk-loads CSV rows into `table (columns)` with one COPY: COPY FROM STDIN on a server, the
   * COPY blob on PGlite. For imports that must go faster than INSERT.
   */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * The rows of one read-only query as COPY writes them in text format (its parameters written in
   * as literals, `withLiterals`: COPY takes none), handed to `received` chunk by chunk as the
   * server sends them, never decoded into strings: fields separated by tabs, `\N` for null,
   * backslash escapes, a newline after each row.
   * On a server only (PGlite answers in a blob: absent); on the replica for work run `onReplica`.
   * For answers written straight from the database's text (json-text.ts).
   */
  copyOut?: (query: CompiledStatement, received: (chunk: Buffer) => void) => Promise<void>;
  /**
   * Runs SQL text that may hold several statements (migrations); no parameters. If the text
   * opened a transaction and failed inside it, that transaction is rolled back before the
   * session is reused.
   */
  exec(sqlText: string): Promise<void>;
  /**
   * A connection of its own, outside the pool, for state that must last exactly as long as this
   * process's link to the server (session advisory locks). Absent on PGlite, where this process
   * is the server.
   */
  openSession?: () => Promise<Session>;
  /**
   * How the pool is used right now, for the metrics: connections held, idle, and borrowers waiting.
   * PGlite is one session lent to one borrower at a time: always one connection, idle when no one
   * has it, and the rest of the queue waiting.
   */
  stats?: () => PoolStats;
  /**
   * Present when a replica takes read-only work (DATABASE_READ_URL): `kysely` sends the queries of
   * work run `onReplica` there, and this says how far behind the primary it is.
   */
  replica?: Replica;
  /**
   * The same database for the work of one traced request (http/request-spans.ts): what runs
   * through it is recorded as spans beneath `trace` when that trace's span is recorded
   * (query-spans.ts). Present when this process traces.
   */
  traced?: (trace: Context) => Database;
  close(): Promise<void>;
}

/** A statement as a query builder compiles it: `$1`, `$2`… where its parameters go. */
export interface CompiledStatement {
  sql: string;
  parameters: readonly unknown[];
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** One server connection; `onEnd` runs once when it ends for any reason (closed, terminated, network). */
export interface Session {
  query(sqlText: string, params: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  onEnd(listener: () => void): void;
  end(): Promise<void>;
}
