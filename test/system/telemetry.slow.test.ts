// Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, `tally serve` sends OTLP/HTTP spans for its
// requests (Fastify's server span, with the route pattern and status) and, on PostgreSQL, its
// queries, to the collector named. The collector here is a local HTTP server that records what arrives in
// OTLP/HTTP's JSON encoding, as a collector would receive it.
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
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}

const TELEMETRY = join(import.meta.dirname, '..', '..', 'src', 'platform', 'telemetry.ts');

describe('traces sent to an OpenTelemetry collector', () => {
  it('names each request by its route, and each query on PostgreSQL', async () => {
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
            for (const a of r.resource?.attributes ?? [])
              if (a.key === 'service.name') services.add(a.value.stringValue);
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
    const child = spawn('node', ['--import', 'tsx', '--import', TELEMETRY, SOURCE_CLI, 'serve'], {
      env: {
        ...process.env,
        ...(pg ? { DATABASE_URL: pg.url } : { DATABASE_URL: '' }),
        TALLY_DATA_DIR: dir,
        PORT: String(port),
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const attribute = (s: Span, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;
    try {
      expect(await serving(child)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/accounts/7`)).status).toBe(401);
      const arrived = () =>
        spans.some((s) => attribute(s, 'http.route') === '/api/accounts/:id') &&
        spans.some((s) => attribute(s, 'http.route') === '/health/ready') &&
        (!pg || spans.some((s) => attribute(s, 'db.system.name') === 'postgresql'));
      while (!arrived()) await new Promise((resolve) => setTimeout(resolve, 50));

      expect([...services]).toEqual(['tally']);
      // The server span of a request carries its route pattern and status, never the path's ids.
      const refused = spans.find((s) => s.kind === 2 && attribute(s, 'http.route') === '/api/accounts/:id');
      expect(refused?.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue).toBe(401);
      if (pg) expect(spans.filter((s) => attribute(s, 'db.system.name') === 'postgresql').length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      collector.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
