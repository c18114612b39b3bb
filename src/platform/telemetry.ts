// OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector: a span for each HTTP
// request (`http/request-spans.ts`, carrying its route pattern and status), exported over
// OTLP/HTTP from a worker thread (`span-export.ts`), with a span beneath for each query of a
// sampled request (`query-spans.ts`, on either engine) and for each call it makes through
// node:http (`withTraceOf`). The current context lasts only as long as a call (`call-context.ts`):
// a request's trace travels with its database handle, and no AsyncLocalStorage hooks the process's
// promises. node:http is patched by a require hook as it loads, so this file runs before anything
// else: `bin/tally.js` imports it first (or `node --import` it), and it does nothing at all unless
// the endpoint is set (`tracing()`). The OTEL_* variables are OpenTelemetry's own (service name,
// sampling, batch delay), read by the SDK; unless the operator chose a sampler, one request in ten
// is recorded (`trace-sampling.ts`).
import { isMainThread } from 'node:worker_threads';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { tracing } from './query-spans.ts';
import { CallContextManager } from './call-context.ts';
import { WorkerSpanExporter } from './span-export.ts';
import { samplingDefaults } from './trace-sampling.ts';

// A worker thread inherits the process's flags, which may `--import` this file: the export worker
// must not start an SDK (and a worker) of its own.
if (tracing() && isMainThread) {
  process.env.OTEL_SERVICE_NAME ??= 'tally';
  // Traces only: metrics are Prometheus's at /metrics, and logs go to stdout. Without these the
  // SDK would also push metrics and logs to the collector, which may not take them.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  Object.assign(process.env, samplingDefaults(process.env));
  const sdk = new NodeSDK({
    traceExporter: new WorkerSpanExporter(),
    contextManager: new CallContextManager(),
    instrumentations: [
      // Outgoing calls only (to storage providers): the request's server span is Tally's own
      // (http/request-spans.ts), and a second one per request would double the work for nothing.
      // An outgoing call is traced as part of the request it serves, never alone (a job's calls
      // are not traced). The exporter's calls to the collector are made in its worker, which
      // this instrumentation does not patch.
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true, requireParentforOutgoingSpans: true }),
    ],
  });
  sdk.start();
  // Spans still batched are sent before the process stops.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void sdk.shutdown());
}
