// A query's rows read by COPY on a server (Database.copyOut): its parameters bound as literals, its
// rows as COPY's text, a failure, the server's or the reader's, failing the call, not the process,
// and a recorded request's COPY in its trace with its placeholders, never its values.
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/database.ts';
import type { CompiledStatement, Database } from '../../src/platform/database-interface.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('rows read by COPY', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  const copied = async (query: { sql: string; parameters: readonly unknown[] }) => {
    const chunks: Buffer[] = [];
    await t.database.copyOut!(query, (chunk) => chunks.push(chunk));
    return Buffer.concat(chunks).toString();
  };

  it("are COPY's text of the rows, its parameters bound as given", async () => {
    const query = sql`SELECT n, ${'tab\there, "quote" \\ $l$'}::text AS t, NULL::text AS none
                      FROM generate_series(1, ${3}::int) n`.compile(t.database.kysely);
    const line = (n: number) => `${n}\ttab\\there, "quote" \\\\ $l$\t\\N\n`;
    expect(await copied(query)).toBe([1, 2, 3].map(line).join(''));
  });

  it("fail with the server's error part-way, and the pool answers the next statement", async () => {
    const failing = sql`SELECT 1 / (n - 3000) FROM generate_series(1, 5000) n`.compile(t.database.kysely);
    await expect(copied(failing)).rejects.toThrow('division by zero');
    for (let i = 0; i < 12; i++) expect(await copied(sql`SELECT ${i}::int`.compile(t.database.kysely))).toBe(`${i}\n`);
  });

  it("fail with the reader's error when it cannot take a chunk", async () => {
    const refused = new Error('no room');
    const query = sql`SELECT n FROM generate_series(1, 10) n`.compile(t.database.kysely);
    await expect(
      t.database.copyOut!(query, () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(await copied(sql`SELECT 7`.compile(t.database.kysely))).toBe('7\n');
  });

  it('is a client span of the recorded request it serves, naming its placeholders, not its values', async () => {
    const exporter = new node.InMemorySpanExporter();
    const provider = new node.NodeTracerProvider({ spanProcessors: [new node.SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    // Read only while a database opens: this one is opened as a tracing process opens its own.
    const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    const traced = await openDatabase({ url: t.url! }).finally(() => {
      if (endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    });
    const copiedBy = async (database: Database, query: CompiledStatement) => {
      const chunks: Buffer[] = [];
      await database.copyOut!(query, (chunk) => chunks.push(chunk));
      return Buffer.concat(chunks).toString();
    };
    try {
      const query = sql`SELECT ${'secret'}::text AS t`.compile(traced.kysely);
      const request = provider.getTracer('test').startSpan('request');
      const handle = traced.traced!(trace.setSpan(ROOT_CONTEXT, request));
      expect(await copiedBy(handle, query)).toBe('secret\n');
      request.end();
      // The process's own database, and a request nobody records: no span.
      expect(await copiedBy(traced, query)).toBe('secret\n');
      const unrecorded = trace.wrapSpanContext({ traceId: '9'.repeat(32), spanId: '9'.repeat(16), traceFlags: 0 });
      expect(await copiedBy(traced.traced!(trace.setSpan(ROOT_CONTEXT, unrecorded)), query)).toBe('secret\n');
      const [copy, recorded] = exporter.getFinishedSpans();
      expect(exporter.getFinishedSpans()).toHaveLength(2);
      expect([copy!.name, copy!.parentSpanContext?.spanId]).toEqual(['COPY', recorded!.spanContext().spanId]);
      expect(copy!.attributes['db.query.text']).toBe('COPY (SELECT $1::text AS t) TO STDOUT');
    } finally {
      await traced.close();
      await provider.shutdown();
      trace.disable();
    }
  });
});
