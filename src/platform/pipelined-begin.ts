// A transaction's BEGIN travels with its first statement, on PostgreSQL: one write, answered by one
// Sync, so every transaction waits on the server once less. Kysely opens a transaction by sending
// `begin` and waiting for its answer before the first statement: a round trip for nothing, about
// 0.1 ms on a loopback and a network's round trip where the database is another machine
// (docs/benchmarks.md, "Transfers, 5 Dec 2026"). Here the `begin` is held by the pool's client and
// written, through the extended protocol, ahead of the next statement. What the server sees is
// what it saw before, in the same order: BEGIN, then the statement, inside the transaction.
// - Should BEGIN fail, the server skips the statement (nothing runs before the Sync), and the
//   statement's caller gets BEGIN's error: no statement ever runs outside its transaction.
// - A transaction that ends before any statement (commit or rollback) sends nothing at all.
// - A first statement without parameters may hold several statements, which only the simple
//   protocol takes: then BEGIN is sent on its own first, as before.
import pg from 'pg';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** What Kysely sends to open a transaction: `begin`, or `start transaction` with its settings. */
const OPENS = /^\s*(?:begin|start\s+transaction)\b/i;
const ENDS = /^\s*(commit|rollback)\s*$/i;

/** Whether `sql` opens a transaction, which costs no round trip of its own here (query-spans.ts). */
export const opensTransaction = (sql: string): boolean => OPENS.test(sql);

type Result = PostgresQueryResult<unknown>;
/** pg's results are what Kysely reads (command, rowCount, rows); pg types `command` as any string. */
const asResult = (answer: Promise<pg.QueryResult>) => answer as Promise<unknown> as Promise<Result>;
/** The answer to a statement that never needed the server: Kysely reads only its command. */
const answered = (command: string) => Promise.resolve({ command, rowCount: 0, rows: [] } as unknown as Result);

/** The parts of pg's connection that its Query writes with (not in pg's type declarations). */
interface Wire {
  stream: { cork(): void; uncork(): void };
  parse(message: { text: string }): void;
  bind(message: object): void;
  execute(message: object): void;
}

/** pg's Query as this file extends it: how it writes itself, and what it does with a command's completion. */
interface QueryParts {
  submit(connection: Wire): Error | null;
  handleCommandComplete(message: unknown, connection: Wire): void;
}
type QueryConstructor = new (
  config: { text: string; values: unknown[]; queryMode: 'extended' },
  values: undefined,
  callback: (error: Error | null, result: Result) => void,
) => QueryParts;

/** A statement written right behind the BEGIN that opens its transaction, both under one Sync. */
class OpeningQuery extends (pg.Query as unknown as QueryConstructor) {
  readonly #opening: string;
  #opened = false;

  constructor(
    opening: string,
    text: string,
    values: unknown[],
    callback: (error: Error | null, result: Result) => void,
  ) {
    super({ text, values, queryMode: 'extended' }, undefined, callback);
    this.#opening = opening;
  }

  override submit(connection: Wire): Error | null {
    connection.stream.cork();
    try {
      connection.parse({ text: this.#opening });
      connection.bind({});
      connection.execute({});
      // Text and an array of values, unnamed: pg's checks before writing pass, so the statement
      // is written (behind BEGIN, with the Sync that closes both).
      return super.submit(connection);
    } finally {
      connection.stream.uncork();
    }
  }

  // BEGIN's completion comes first and is not the statement's result.
  override handleCommandComplete(message: unknown, connection: Wire): void {
    if (this.#opened) super.handleCommandComplete(message, connection);
    else this.#opened = true;
  }
}

/** A pool client holding a transaction's BEGIN until the statement it travels with. */
class PipeliningClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  #opening: string | undefined;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query(
    statement: string | PostgresCursor<unknown>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<Result> | PostgresCursor<unknown> {
    // Kysely streams through a cursor only when its dialect names one, and Tally's names none.
    if (typeof statement !== 'string') throw new Error('Tally’s PostgreSQL pool takes no cursor');
    const opening = this.#opening;
    if (opening === undefined) {
      if (!opensTransaction(statement)) return asResult(this.#client.query(statement, parameters as unknown[]));
      this.#opening = statement;
      return answered('BEGIN');
    }
    this.#opening = undefined;
    const ending = ENDS.exec(statement)?.[1]?.toUpperCase();
    if (ending) return answered(ending);
    if (parameters.length === 0) return asResult(this.#client.query(opening).then(() => this.#client.query(statement)));
    return new Promise<Result>((resolve, reject) => {
      const query = new OpeningQuery(opening, statement, parameters as unknown[], (error, result) =>
        error ? reject(error) : resolve(result),
      );
      this.#client.query(query as unknown as pg.Submittable);
    });
  }

  release(destroy?: boolean): void {
    // A transaction opened and left without a statement never reached the server.
    this.#opening = undefined;
    this.#client.release(destroy);
  }
}

/** `pool` for Kysely, its clients sending each transaction's BEGIN with the first statement. */
export function pipelinedBegin(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PipeliningClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      const known = clients.get(client);
      if (known) return known;
      const pipelining = new PipeliningClient(client);
      clients.set(client, pipelining);
      return pipelining;
    },
    end: () => pool.end(),
  };
}
