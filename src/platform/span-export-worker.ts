// The export worker (span-export.ts): builds each batch's spans back from their data and hands them
// to OpenTelemetry's OTLP/HTTP exporter, configured by the same OTEL_* variables as ever (the
// worker is given the process's environment as it was when the exporter was made). Its HTTP client
// runs here, apart from the requests the process serves.
import { parentPort } from 'node:worker_threads';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { core } from '@opentelemetry/sdk-node';
import { type ExportAnswer, type ExportRequest, readableSpans } from './span-transfer.ts';

const port = parentPort;
if (!port) throw new Error('span-export-worker runs as a worker thread (span-export.ts)');
const exporter = new OTLPTraceExporter();
const answer = (message: ExportAnswer) => port.postMessage(message);
const settled = (id: number, done: Promise<void>) =>
  done.then(
    () => answer({ id, code: core.ExportResultCode.SUCCESS }),
    (error: unknown) =>
      answer({ id, code: core.ExportResultCode.FAILED, error: error instanceof Error ? error.message : String(error) }),
  );

port.on('message', (request: ExportRequest) => {
  switch (request.kind) {
    case 'export':
      exporter.export(readableSpans(request.batch), ({ code, error }) =>
        answer({ id: request.id, code, ...(error && { error: error.message }) }),
      );
      return;
    case 'flush':
      void settled(request.id, exporter.forceFlush());
      return;
    case 'shutdown':
      void settled(request.id, exporter.shutdown());
  }
});
