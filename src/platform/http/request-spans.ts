// The server span of each request, when this process traces (`tracing()`): named by the method and
// the route's pattern (`POST /api/certificates/transfer`), with the route and the answer's status,
// never the path's ids. The caller's W3C trace context (`traceparent`) is its parent, so a caller's
// sampling decision holds. A request carries its trace on only when there is something to carry: a
// span being recorded (its queries become its children) or a caller's context to pass on to
// outgoing calls. It carries it in its own database handle (`request.database`, query-spans.ts),
// never in an AsyncLocalStorage (call-context.ts). A request the sampler leaves out of a trace
// nobody started costs the sampler's decision and nothing more. (`@fastify/otel`, used before,
// made a request span and a handler span for every request and entered both contexts, sampled
// or not.)
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../database-interface.ts';

const tracer = trace.getTracer('tally.http');

/**
 * Opens each request's span; answers the database handle of a request that carries a trace
 * (undefined for any other), whose statements are that request's spans.
 */
export function registerRequestSpans(
  app: FastifyInstance,
  database: Database,
): (request: FastifyRequest) => Database | undefined {
  const spans = new WeakMap<FastifyRequest, Span>();
  const handles = new WeakMap<FastifyRequest, Database>();
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, ...(route !== undefined && { 'http.route': route }) },
      },
      parent,
    );
    spans.set(request, span);
    if (database.traced && (span.isRecording() || trace.getSpan(parent) !== undefined))
      handles.set(request, database.traced(trace.setSpan(parent, span)));
    done();
  });
  // Runs after the error handler set the status: a refusal (4xx) is the API working, not a fault.
  app.addHook('onError', (request, reply, error, done) => {
    if (reply.statusCode >= 500) spans.get(request)?.recordException(error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
  return (request) => handles.get(request);
}
