// A span for each query a traced request makes, on either engine. A request that carries a trace
// (http/request-spans.ts) is given its own handle on the database (`Database.traced`): every
// connection that handle borrows is marked with the request's trace for as long as it is lent,
// and each new connection's `executeQuery` (Kysely's, for both engines) is wrapped once so that a
// statement on a connection lent to a recorded trace gets a client span beneath the request's. Any
// other statement goes straight through, its only cost a look in a WeakMap. The trace travels with
// the handle, never in an AsyncLocalStorage (call-context.ts says why). (OpenTelemetry's
// node-postgres instrumentation, used before that, parsed each statement and built a span for
// every query whether sampled or not.) A page read by COPY (`copyOut`) gets its span here too;
// other statements outside Kysely (bulk loads, migrations) make none, and neither does a
// transaction's BEGIN: on PostgreSQL it travels with the first statement (pipelined-begin.ts),
// whose span holds both, and on PGlite it is no work worth a span.
import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  type CompiledQuery,
  type ConnectionProvider,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type PostgresDialectConfig,
} from 'kysely';
import type { Database, Db } from './database-interface.ts';
import { withDriver } from './dialect.ts';
import { opensTransaction } from './pipelined-begin.ts';

/** Whether this process sends traces: `telemetry.ts` starts OpenTelemetry under the same condition. */
export const tracing = (): boolean => Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);

// A proxy until the SDK registers its provider, then the SDK's tracer.
const tracer = trace.getTracer('tally.database');

/** The trace of the request each connection is lent to, while it is. */
const lentTo = new WeakMap<DatabaseConnection, Context>();
/** The trace each request's handle serves (`withTraceOf`). */
const traceOfHandle = new WeakMap<Db, Context>();

/** The statement's first word (`SELECT`, `INSERT`, `WITH`, `BEGIN`): the span's name, never its values. */
const operationOf = (sql: string): string => /^\s*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY';

const recorded = (parent: Context) => trace.getSpan(parent)?.isRecording() === true;

/**
 * Runs a statement. When `parent`'s span is recorded, the statement runs under a client span
 * beneath it, named by the statement's first word and carrying `sql` as compiled, with `$1`, `$2`
 * where its values go; the values themselves are never recorded.
 */
function spannedStatement<T>(parent: Context, sql: string, run: () => Promise<T>): Promise<T> {
  return recorded(parent) ? recordedStatement(parent, sql, run) : run();
}

async function recordedStatement<T>(parent: Context, sql: string, run: () => Promise<T>): Promise<T> {
  const operation = operationOf(sql);
  const span = tracer.startSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.operation.name': operation,
        // The statement as compiled, with $1, $2… where its values go; the values are never recorded.
        'db.query.text': sql,
      },
    },
    parent,
  );
  try {
    return await run();
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    throw err;
  } finally {
    span.end();
  }
}

function spanQueries(connection: DatabaseConnection): Promise<void> {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = <R>(query: CompiledQuery) => {
    const parent = lentTo.get(connection);
    return parent && !opensTransaction(query.sql)
      ? spannedStatement(parent, query.sql, () => execute<R>(query))
      : execute<R>(query);
  };
  return Promise.resolve();
}

/** Options for Kysely's PostgresDialect (or driver): query spans when this process traces, else none. */
export const querySpans = (): Pick<PostgresDialectConfig, 'onCreateConnection'> =>
  tracing() ? { onCreateConnection: spanQueries } : {};

/**
 * The database `open` builds over a query builder of `dialect`; when this process traces, with
 * `traced` beside it, so each traced request's statements get their spans.
 */
export function traceable(dialect: Dialect, open: (kysely: Db) => Database): Database {
  if (!tracing()) return open(new Kysely<unknown>({ dialect }));
  // Kysely keeps the driver it makes to itself; a request's handle begins and ends its
  // transactions on the same one.
  let driver: Driver | undefined;
  const keeping = withDriver(dialect, () => {
    driver = dialect.createDriver();
    return driver;
  });
  const kysely = new Kysely<unknown>({ dialect: keeping });
  const database = open(kysely);
  const executor = kysely.getExecutor();
  const config = { dialect: keeping };
  const traced = (parent: Context): Database => {
    // The pool's connections, each marked with the request's trace while the request holds it.
    const lending: ConnectionProvider = {
      provideConnection: (consume) =>
        executor.provideConnection(async (connection) => {
          lentTo.set(connection, parent);
          try {
            return await consume(connection);
          } finally {
            lentTo.delete(connection);
          }
        }),
    };
    // Kysely copies these properties and freezes the copy. Given in the order its constructor lists
    // its own, and frozen, they give the copy the process's shape. Unfrozen, V8 (Node 20) gave every
    // handle's copy a shape of its own once that copy was warm, and each new shape made Kysely's
    // loads of them megamorphic (docs/benchmarks.md, "Tracing, ninth pass").
    const handle = new Kysely<unknown>(
      Object.freeze({
        config,
        executor: executor.withConnectionProvider(lending),
        dialect: keeping,
        driver: driver as Driver,
      }),
    );
    traceOfHandle.set(handle, parent);
    const copyOut = database.copyOut;
    return {
      ...database,
      kysely: handle,
      ...(copyOut && {
        copyOut: (query, received) =>
          spannedStatement(parent, `COPY (${query.sql}) TO STDOUT`, () => copyOut(query, received)),
      }),
    };
  };
  return { ...database, traced };
}

/**
 * Runs `call` with the trace of the request `db` serves as OpenTelemetry's current context, so an
 * outgoing HTTP call it starts (before its first `await`) gets its span beneath the request's and
 * passes the trace on. Any other handle (a job's, a transaction's) runs `call` as it is.
 */
export function withTraceOf<T>(db: Db, call: () => T): T {
  const parent = traceOfHandle.get(db);
  return parent ? context.with(parent, call) : call();
}
