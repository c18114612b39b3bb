// A span for each query a traced request makes, on either engine. Each new connection's
// `executeQuery` (Kysely's, for both engines) is wrapped once: a query of a request the sampler
// recorded gets a client span beneath the request's; any other query goes straight through, its only
// cost a look at the current span. (OpenTelemetry's node-postgres instrumentation, used before,
// parsed each statement and built a span for every query whether sampled or not: about half of what
// tracing cost a transfer none sampled.) A page read by COPY (`copyOut`) gets its span through
// `spannedStatement`; other statements outside Kysely (bulk loads, migrations) make none, and
// neither does a transaction's BEGIN: on PostgreSQL it travels with the first statement
// (pipelined-begin.ts), whose span holds both, and on PGlite it is no work worth a span.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { CompiledQuery, DatabaseConnection, PostgresDialectConfig } from 'kysely';
import { opensTransaction } from './pipelined-begin.ts';

/** Whether this process sends traces: `telemetry.ts` starts OpenTelemetry under the same condition. */
export const tracing = (): boolean => Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);

// A proxy until the SDK registers its provider, then the SDK's tracer.
const tracer = trace.getTracer('tally.database');

/** The statement's first word (`SELECT`, `INSERT`, `WITH`, `BEGIN`): the span's name, never its values. */
const operationOf = (sql: string): string => /^\s*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY';

const recording = () => trace.getActiveSpan()?.isRecording() === true;

/**
 * Runs a statement sent outside Kysely (database.ts, `copyOut`). When the request it serves is
 * recorded, the statement runs under a client span showing `sql` with its placeholders, never its
 * values.
 */
export function spannedStatement<T>(sql: string, run: () => Promise<T>): Promise<T> {
  return recording() ? recordedStatement(sql, run) : run();
}

async function recordedStatement<T>(sql: string, run: () => Promise<T>): Promise<T> {
  const operation = operationOf(sql);
  const span = tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': operation,
      // The statement as compiled, with $1, $2… where its values go; the values are never recorded.
      'db.query.text': sql,
    },
  });
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
  connection.executeQuery = <R>(query: CompiledQuery) =>
    recording() && !opensTransaction(query.sql)
      ? recordedStatement(query.sql, () => execute<R>(query))
      : execute<R>(query);
  return Promise.resolve();
}

/** Options for Kysely's PostgresDialect (or driver): query spans when this process traces, else none. */
export const querySpans = (): Pick<PostgresDialectConfig, 'onCreateConnection'> =>
  tracing() ? { onCreateConnection: spanQueries } : {};
