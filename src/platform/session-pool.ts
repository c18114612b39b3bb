// PGlite is one PostgreSQL session. Whether it runs in this process or in the process that holds
// the data directory, one borrower at a time has it, from BEGIN to COMMIT, and everyone else waits
// in arrival order. This file is that queue and the Database built on it.
import { PostgresDialect, type PostgresPoolClient } from 'kysely';
import { querySpans, traceable } from './query-spans.ts';
import type { Database, PoolStats } from './database-interface.ts';

export interface PgStyleResult {
  command: string;
  rowCount: number;
  rows: Record<string, unknown>[];
}

/** What a borrower may do with the session during its turn. */
export interface SessionOps {
  /** One statement with parameters, answered as node-postgres would (Kysely reads `command` and `rowCount`). */
  query(sqlText: string, params: readonly unknown[]): Promise<PgStyleResult>;
  /** Statements without parameters; a transaction the text opened and failed in is rolled back. */
  exec(sqlText: string): Promise<void>;
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
}

export class SessionPool {
  #tail: Promise<void> = Promise.resolve();
  /** Borrowers holding or waiting for the session. */
  #borrowers = 0;
  readonly #ops: SessionOps;
  readonly #endTurn: () => void;

  /** `endTurn` tells whoever lends the session that this process is done with it for now. */
  constructor(ops: SessionOps, endTurn: () => void = () => {}) {
    this.#ops = ops;
    this.#endTurn = endTurn;
  }

  async withSession<T>(work: (ops: SessionOps) => Promise<T>): Promise<T> {
    const turn = await this.take();
    try {
      return await work(turn.ops);
    } finally {
      turn.end();
    }
  }

  /**
   * A pg-style client for Kysely's PostgresDialect, holding the session until `release`. The
   * dialect calls `query(sql, params)` only (cursors are for streaming, which Tally does not use),
   * and reads the answer's rows, command and rowCount as node-postgres gives them.
   */
  async connect(): Promise<PostgresPoolClient> {
    const turn = await this.take();
    const query = (sqlText: string, params: readonly unknown[]) => turn.ops.query(sqlText, params);
    return { query: query as PostgresPoolClient['query'], release: () => turn.end() };
  }

  async end(): Promise<void> {}

  /** One session: idle when no one has it; everyone after its holder waits. */
  stats(): PoolStats {
    return { total: 1, idle: this.#borrowers === 0 ? 1 : 0, waiting: Math.max(0, this.#borrowers - 1) };
  }

  /** Waits for this borrower's turn with the session; `end` passes it on. */
  take(): Promise<{ ops: SessionOps; end(): void }> {
    let pass!: () => void;
    const turn = new Promise<void>((resolve) => {
      pass = resolve;
    });
    this.#borrowers++;
    const ready = this.#tail.then(() => ({
      ops: this.#ops,
      end: () => {
        this.#borrowers--;
        this.#endTurn();
        pass();
      },
    }));
    this.#tail = this.#tail.then(() => turn);
    return ready;
  }
}

/** The Database interface over a session pool; `close` frees whatever the pool runs on. */
export function sessionDatabase(pool: SessionPool, close: () => Promise<void>): Database {
  return traceable(new PostgresDialect({ pool, ...querySpans() }), (kysely) => ({
    kysely,
    engine: 'pglite',
    copyCsv: (table, columns, csv) => pool.withSession((ops) => ops.copyCsv(table, columns, csv)),
    exec: (sqlText) => pool.withSession((ops) => ops.exec(sqlText)),
    stats: () => pool.stats(),
    close,
  }));
}
