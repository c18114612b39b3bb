// OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector: spans for each HTTP
// request (Node's http server, and Fastify's route, named by its pattern) and each PostgreSQL
// query and connection (node-postgres), exported over OTLP/HTTP. Those are CommonJS packages,
// patched by require hooks as they load (the embedded PGlite has no driver to trace), so
// this file runs before anything else: `bin/tally.js` imports it first (or `node --import` it),
// and it does nothing at all unless the endpoint is set. The OTEL_* variables are OpenTelemetry's
// own (service name, sampling, batch delay), read by the SDK.
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  process.env.OTEL_SERVICE_NAME ??= 'tally';
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation(),
      // A request span and its handler's, not one per hook: Tally runs about ten hooks a request
      // (rate limit, authentication, idempotency, …), which would multiply the spans for little.
      new FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: false }),
      // Queries, not the pool's connection hand-outs (one per transaction).
      new PgInstrumentation({ ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  // Spans still batched are sent before the process stops.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void sdk.shutdown());
}
