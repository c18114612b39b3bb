// Finished spans as they cross from the thread that recorded them to the export worker
// (span-export.ts): a message carries only data, so a batch goes over as its spans' data
// (`batchData`), each span's resource named by its place in the batch, and the worker builds the
// spans back (`readableSpans`) for OpenTelemetry's own exporter, which reads nothing else of them.
import {
  type Attributes,
  createTraceState,
  type HrTime,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';
import { type core, resources, type tracing } from '@opentelemetry/sdk-node';

/** A span context as data: its trace state in its W3C text form. */
interface ContextData {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
  traceState?: string;
}

interface LinkData {
  context: ContextData;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

interface SpanData {
  name: string;
  kind: SpanKind;
  context: ContextData;
  parent?: ContextData;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  links: LinkData[];
  events: tracing.TimedEvent[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  scope: core.InstrumentationScope;
  /** The span's resource: its index in the batch's `resources`. */
  resource: number;
}

interface ResourceData {
  attributes: Attributes;
  schemaUrl?: string;
}

/** Spans to export, as data. */
export interface Batch {
  spans: SpanData[];
  resources: ResourceData[];
}

/** What the recording thread asks of the worker. */
export type ExportCall = { kind: 'export'; batch: Batch } | { kind: 'flush' | 'shutdown' };

/** A call as sent: the worker answers it by its `id`. */
export type ExportRequest = ExportCall & { id: number };

/** The worker's answer to the request `id`: OpenTelemetry's result code, and the error's message if any. */
export interface ExportAnswer {
  id: number;
  code: core.ExportResultCode;
  error?: string;
}

const contextData = (context: SpanContext): ContextData => ({
  traceId: context.traceId,
  spanId: context.spanId,
  traceFlags: context.traceFlags,
  isRemote: context.isRemote,
  traceState: context.traceState?.serialize(),
});

// Built field by field, here and in `batchData` and `readableSpans`: every span of every batch
// passes through them, and V8 copies an object's rest or spread through a generic path, which took
// a fifth of the worker's time (docs/benchmarks.md, "Tracing, ninth pass").
const spanContext = (data: ContextData): SpanContext => ({
  traceId: data.traceId,
  spanId: data.spanId,
  traceFlags: data.traceFlags,
  isRemote: data.isRemote,
  traceState: data.traceState === undefined ? undefined : createTraceState(data.traceState),
});

/** Links with their contexts turned into data, or back: the rest of a link crosses as it is. */
const linksWith = <From, To>(
  links: Array<{ context: From; attributes?: Attributes; droppedAttributesCount?: number }>,
  context: (from: From) => To,
) =>
  links.map((link) => ({
    context: context(link.context),
    attributes: link.attributes,
    droppedAttributesCount: link.droppedAttributesCount,
  }));

/** A batch of spans as one message's data. */
export function batchData(spans: tracing.ReadableSpan[]): Batch {
  // A process has one resource, so this list stays one long.
  const seen: resources.Resource[] = [];
  const data = spans.map((span): SpanData => {
    let resource = seen.indexOf(span.resource);
    if (resource < 0) resource = seen.push(span.resource) - 1;
    return {
      name: span.name,
      kind: span.kind,
      context: contextData(span.spanContext()),
      parent: span.parentSpanContext && contextData(span.parentSpanContext),
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      status: span.status,
      attributes: span.attributes,
      links: linksWith(span.links, contextData),
      events: span.events,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
      scope: span.instrumentationScope,
      resource,
    };
  });
  return {
    spans: data,
    resources: seen.map((resource) => ({ attributes: resource.attributes, schemaUrl: resource.schemaUrl })),
  };
}

/** The spans of a batch built back from its data, each with its resource. */
export function readableSpans(batch: Batch): tracing.ReadableSpan[] {
  const built = batch.resources.map(({ attributes, schemaUrl }) =>
    resources.resourceFromAttributes(attributes, { schemaUrl }),
  );
  return batch.spans.map((span): tracing.ReadableSpan => {
    const own = spanContext(span.context);
    return {
      name: span.name,
      kind: span.kind,
      spanContext: () => own,
      parentSpanContext: span.parent && spanContext(span.parent),
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      status: span.status,
      attributes: span.attributes,
      links: linksWith(span.links, spanContext),
      events: span.events,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
      instrumentationScope: span.scope,
      resource: built[span.resource] as resources.Resource,
      ended: true,
    };
  });
}
