// Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, `tally serve` sends OTLP/HTTP spans for its
// requests (the server span, with the route pattern and status) and the queries of each sampled
// request (on either engine), to the collector named; unless a sampler is named, one request in ten
// is sampled, and every request its caller sampled. The collector here is a local HTTP server that
// records what arrives in OTLP/HTTP's JSON encoding, as a collector would receive it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_CLI } from '../helpers/cli.ts';
import { emptyServerDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/server.ts';
import { serving } from '../helpers/serving.ts';

interface Span {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status?: { code?: number };
  events?: unknown[];
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}

const TELEMETRY = join(import.meta.dirname, '..', '..', 'src', 'platform', 'telemetry.ts');

interface TracedTally {
  port: number;
  /** Every span the collector has received so far. */
  spans: Span[];
  /** The `service.name` of every resource that sent spans. */
  services: Set<string>;
  stop(): Promise<void>;
}

/** A `tally serve` process that traces to a collector of the test's, with `env` beside the endpoint. */
async function tracedTally(env: Record<string, string>): Promise<TracedTally> {
  const spans: Span[] = [];
  const services = new Set<string>();
  const collector = createServer((request, response) => {
    let body = '';
    request.on('data', (d) => {
      body += d;
    });
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        for (const r of JSON.parse(body).resourceSpans ?? []) {
          for (const a of r.resource?.attributes ?? []) if (a.key === 'service.name') services.add(a.value.stringValue);
          for (const s of r.scopeSpans ?? []) spans.push(...s.spans);
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port: collectorPort } = collector.address() as { port: number };

  const dir = mkdtempSync(join(tmpdir(), 'tally-otel-'));
  const pg = process.env.TEST_DATABASE_URL ? await emptyServerDatabase(process.env.TEST_DATABASE_URL) : undefined;
  const port = await freePort();
  // The sources through tsx, the telemetry file imported before them, as bin/tally.js does.
  const { OTEL_TRACES_SAMPLER: _sampler, OTEL_TRACES_SAMPLER_ARG: _ratio, ...inherited } = process.env;
  const child = spawn('node', ['--import', 'tsx', '--import', TELEMETRY, SOURCE_CLI, 'serve'], {
    env: {
      ...inherited,
      ...(pg ? { DATABASE_URL: pg.url } : { DATABASE_URL: '' }),
      TALLY_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    collector.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await serving(child))) {
    await stop();
    throw new Error('the traced tally serve did not start');
  }
  return { port, spans, services, stop };
}

const attribute = (s: Span, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;
const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
};

describe('traces sent to an OpenTelemetry collector', () => {
  it('names each request by its route, and each query of a sampled request beneath it', async () => {
    // Every request recorded, so that the requests without a caller's trace have spans to look at.
    const { port, spans, services, stop } = await tracedTally({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/accounts/7`)).status).toBe(401);
      // A caller that traces already: one request it sampled, one it did not (W3C trace context).
      const [sampledTrace, unsampledTrace] = ['5'.repeat(32), '6'.repeat(32)];
      const login = (trace: string, flags: string) =>
        fetch(`http://127.0.0.1:${port}/api/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent: `00-${trace}-${'1'.repeat(16)}-${flags}` },
          body: JSON.stringify({ email: 'nobody@example.org', password: 'not-the-password' }),
        });
      expect((await login(unsampledTrace, '00')).status).toBe(401);
      expect((await login(sampledTrace, '01')).status).toBe(401);
      const inTrace = (trace: string) => spans.filter((s) => s.traceId === trace);
      const queriesOf = (trace: string) =>
        inTrace(trace).filter((s) => attribute(s, 'db.system.name') === 'postgresql');
      // Spans come in batches as they end, the request's last: wait for the whole sampled trace.
      const sampledArrived = () => {
        const ids = new Set(inTrace(sampledTrace).map((s) => s.spanId));
        const queries = queriesOf(sampledTrace);
        return (
          inTrace(sampledTrace).some((s) => s.kind === 2) &&
          queries.length > 0 &&
          queries.every((q) => ids.has(q.parentSpanId!))
        );
      };
      const arrived = () =>
        spans.some((s) => attribute(s, 'http.route') === '/api/accounts/:id') &&
        spans.some((s) => attribute(s, 'http.route') === '/health/ready') &&
        sampledArrived();
      await until(arrived);

      expect([...services]).toEqual(['tally']);
      // The server span of a request carries its route pattern and status, never the path's ids.
      const refused = spans.find((s) => s.kind === 2 && attribute(s, 'http.route') === '/api/accounts/:id');
      expect(refused?.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue).toBe(401);
      // A refusal is the API at work, not a fault: no error status, no exception recorded.
      expect([refused?.status?.code ?? 0, refused?.events ?? []]).toEqual([0, []]);
      // The sampled login's queries are client spans within its request's trace, each named by its
      // statement's first word and carrying the statement without its parameters.
      const request = inTrace(sampledTrace).find((s) => s.kind === 2);
      expect(attribute(request!, 'http.route')).toBe('/api/token');
      const queries = queriesOf(sampledTrace);
      const ids = new Set(inTrace(sampledTrace).map((s) => s.spanId));
      for (const q of queries) {
        expect(q.kind).toBe(3);
        expect(ids.has(q.parentSpanId!)).toBe(true);
        expect(q.name).toBe(attribute(q, 'db.query.text')!.trim().split(/\s+/)[0]!.toUpperCase());
        expect(attribute(q, 'db.query.text')).not.toContain('nobody@example.org');
      }
      // What the caller left unsampled is not recorded, neither the request nor its queries.
      expect(inTrace(unsampledTrace)).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('keeps the queries of concurrent sampled requests each in its own trace, transactions included', async () => {
    const admin = { email: 'admin@example.org', password: 'a long admin password' };
    const { port, spans, stop } = await tracedTally({
      OTEL_TRACES_SAMPLER: 'parentbased_always_off',
      TALLY_ADMIN_EMAIL: admin.email,
      TALLY_ADMIN_PASSWORD: admin.password,
    });
    try {
      // Six callers log in at once and then refresh their sessions at once (a transaction each),
      // every request sampled by its caller under a trace of its own.
      const traces = Array.from({ length: 6 }, (_, k) => `${k + 1}`.repeat(16) + 'a'.repeat(16));
      const post = (path: string, trace: string, body: unknown) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent: `00-${trace}-${'1'.repeat(16)}-01` },
          body: JSON.stringify(body),
        });
      const logins = await Promise.all(traces.map((t) => post('/api/token', t, admin)));
      expect(logins.map((r) => r.status)).toEqual(traces.map(() => 200));
      const refreshTokens = await Promise.all(
        logins.map(async (r) => ((await r.json()) as { refresh: string }).refresh),
      );
      const refreshes = await Promise.all(
        traces.map((t, k) => post('/api/token/refresh', t, { refresh: refreshTokens[k] })),
      );
      expect(refreshes.map((r) => r.status)).toEqual(traces.map(() => 200));
      const servers = (t: string) => spans.filter((s) => s.traceId === t && s.kind === 2);
      await until(() => traces.every((t) => servers(t).length === 2));
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const t of traces) {
        const [login, refresh] = ['/api/token', '/api/token/refresh'].map(
          (route) => servers(t).find((s) => attribute(s, 'http.route') === route)!,
        );
        const beneath = (server: Span) => spans.filter((s) => s.parentSpanId === server.spanId).map((s) => s.name);
        // Every query span of the trace hangs beneath one of its own two requests.
        const queries = spans.filter((s) => s.traceId === t && s.kind === 3);
        expect(queries.every((q) => q.parentSpanId === login!.spanId || q.parentSpanId === refresh!.spanId)).toBe(true);
        expect(beneath(login!)).toContain('INSERT');
        // The refresh's transaction: its statements and its COMMIT, never a BEGIN of its own.
        expect(beneath(refresh!)).toContain('UPDATE');
        expect(beneath(refresh!)).toContain('COMMIT');
        expect(beneath(refresh!)).not.toContain('BEGIN');
      }
      // No query span is left without its request: each belongs to a trace a caller sampled.
      expect(spans.filter((s) => s.kind === 3 && !traces.includes(s.traceId))).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('records one request in ten by default, and every request a caller sampled', async () => {
    const { port, spans, stop } = await tracedTally({});
    try {
      // Two hundred requests of no caller's trace: the ratio sampler keeps about twenty (by trace
      // id). Fewer than 2 or more than 60 happens less than once in ten million runs at one in ten,
      // and every time at every request (200) or none (0).
      for (let i = 0; i < 200; i++) expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      // A caller's sampled request is recorded whatever the ratio says, and its unsampled one is not.
      const [followed, left] = ['7'.repeat(32), '8'.repeat(32)];
      for (const [trace, flags] of [
        [followed, '01'],
        [left, '00'],
      ])
        expect(
          (
            await fetch(`http://127.0.0.1:${port}/health/live`, {
              headers: { traceparent: `00-${trace}-${'1'.repeat(16)}-${flags}` },
            })
          ).status,
        ).toBe(200);
      await until(() => spans.some((s) => s.traceId === followed));
      // The batch with the last of the two hundred has gone out with the followed request's or before.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const roots = spans.filter((s) => s.traceId !== followed && !s.parentSpanId);
      expect(roots.every((s) => attribute(s, 'http.route') === '/health/live')).toBe(true);
      expect(roots.length).toBeGreaterThanOrEqual(2);
      expect(roots.length).toBeLessThanOrEqual(60);
      expect(spans.filter((s) => s.traceId === left)).toEqual([]);
    } finally {
      await stop();
    }
  });
});
