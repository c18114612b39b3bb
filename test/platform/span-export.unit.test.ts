// Spans are exported from a worker thread (span-export.ts). A batch crosses to it as data and is
// built back there (span-transfer.ts): the spans OpenTelemetry's exporter receives in the worker
// must read exactly as the recorded ones, parents, remote trace state, links, events, status, scope
// and resource included. The worker sends them to the collector named, and its answer, success or
// failure, reaches the span processor.
import { createServer, type Server } from 'node:http';
import { createTraceState, ROOT_CONTEXT, type SpanContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resources, tracing } from '@opentelemetry/sdk-node';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerSpanExporter } from '../../src/platform/span-export.ts';
import { batchData, readableSpans } from '../../src/platform/span-transfer.ts';

const remote: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: createTraceState('tally=1,vendor=x'),
};

/** Everything of a span the OTLP exporter reads, with trace states in their text form. */
function view(span: tracing.ReadableSpan) {
  const context = (c: SpanContext | undefined) => c && { ...c, traceState: c.traceState?.serialize() };
  return {
    name: span.name,
    kind: span.kind,
    context: context(span.spanContext()),
    parent: context(span.parentSpanContext),
    times: [span.startTime, span.endTime, span.duration],
    status: span.status,
    attributes: span.attributes,
    links: span.links.map((link) => ({ ...link, context: context(link.context) })),
    events: span.events,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    scope: span.instrumentationScope,
    resource: { attributes: span.resource.attributes, schemaUrl: span.resource.schemaUrl },
  };
}

/** Spans recorded by a provider of their own: a failed client span under a caller's, and a request span. */
function recorded(): tracing.ReadableSpan[] {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({
    resource: resources.resourceFromAttributes(
      { 'service.name': 'tally', 'service.instance.id': 'one' },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    ),
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
  });
  const parent = trace.setSpanContext(ROOT_CONTEXT, remote);
  const query = provider.getTracer('tally.database', '1.2.3').startSpan(
    'SELECT',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.query.text': 'select $1', rows: 3, cached: false, ids: ['a', 'b'] },
      links: [{ context: remote, attributes: { 'link.reason': 'retry' } }],
    },
    parent,
  );
  query.addEvent('pages', { count: 2 });
  query.recordException(new Error('the pool is closed'));
  query.setStatus({ code: SpanStatusCode.ERROR, message: 'the pool is closed' });
  query.end();
  const request = provider.getTracer('tally.http').startSpan('GET /api/accounts', { kind: SpanKind.SERVER });
  request.setAttribute('http.response.status_code', 200);
  request.end();
  return exporter.getFinishedSpans();
}

describe('a batch of spans sent to the export worker', () => {
  it('is built back in the worker exactly as it was recorded', () => {
    const spans = recorded();
    // What a message carries: structuredClone refuses functions, as postMessage does.
    const rebuilt = readableSpans(structuredClone(batchData(spans)));
    expect(rebuilt.map(view)).toEqual(spans.map(view));
    expect(rebuilt).toHaveLength(2);
    const [query, request] = rebuilt as [tracing.ReadableSpan, tracing.ReadableSpan];
    expect(query.parentSpanContext?.traceState?.get('tally')).toBe('1');
    expect(query.links[0]?.context.traceState?.get('vendor')).toBe('x');
    expect(query.events.map((event) => event.name)).toEqual(['pages', 'exception']);
    expect(request.parentSpanContext).toBeUndefined();
    expect(rebuilt.every((span) => span.ended)).toBe(true);
  });

  it('keeps one resource for the spans that shared it, as the exporter groups them by it', () => {
    const rebuilt = readableSpans(structuredClone(batchData(recorded())));
    expect(rebuilt[0]?.resource).toBe(rebuilt[1]?.resource);
    expect(rebuilt[0]?.resource.attributes).toEqual({ 'service.name': 'tally', 'service.instance.id': 'one' });
  });
});

/** A collector answering every export with `status`, keeping each body it received. */
async function collector(status: number): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      bodies.push(`${request.method} ${request.url} ${body}`);
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bodies };
}

/** The exporter as the SDK would start it, its worker reading the endpoint from the environment. */
function exporterTo(url: string): WorkerSpanExporter {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
  try {
    return new WorkerSpanExporter();
  } finally {
    if (endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  }
}

const exported = (exporter: WorkerSpanExporter, spans: tracing.ReadableSpan[]) =>
  new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));

describe('the export worker', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('sends a batch to the collector as OTLP/HTTP and answers success', async () => {
    const { server, url, bodies } = await collector(200);
    const exporter = exporterTo(url);
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    expect(await exported(exporter, recorded())).toEqual({ code: 0 });
    expect(bodies).toHaveLength(1);
    const [line] = bodies as [string];
    expect(line.startsWith('POST /v1/traces {')).toBe(true);
    const sent = JSON.parse(line.slice('POST /v1/traces '.length));
    const names = sent.resourceSpans[0].scopeSpans.map((scope: { spans: Array<{ name: string }> }) =>
      scope.spans.map((span) => span.name),
    );
    expect(names).toEqual([['SELECT'], ['GET /api/accounts']]);
    expect(sent.resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe(remote.traceId);
    expect(sent.resourceSpans[0].scopeSpans[0].spans[0].parentSpanId).toBe(remote.spanId);
    await exporter.shutdown();
  });

  it('answers failure when the collector refuses the batch, and refuses every batch once shut down', async () => {
    const { server, url, bodies } = await collector(400);
    const exporter = exporterTo(url);
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    const refused = await exported(exporter, recorded());
    expect(refused.code).toBe(1);
    expect(refused.error?.message).toBe('Bad Request');
    expect(bodies).toHaveLength(1);
    await exporter.shutdown();
    const after = await exported(exporter, recorded());
    expect(after).toEqual({ code: 1, error: new Error('the span exporter was shut down') });
    expect(bodies).toHaveLength(1);
  });

  it('shuts down at once when nothing was ever exported, and refuses batches after', async () => {
    const { server, url, bodies } = await collector(200);
    const exporter = exporterTo(url);
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(await exported(exporter, recorded())).toEqual({
      code: 1,
      error: new Error('the span exporter was shut down'),
    });
    expect(bodies).toEqual([]);
  });
});
