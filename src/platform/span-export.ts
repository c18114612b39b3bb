// Spans leave the process from a worker thread of their own. OpenTelemetry's exporter turns each
// batch into OTLP and sends it over node:http. On the thread that serves requests, that work stood
// in the requests' way, and the exporter's HTTP client ran through the same functions of Node's
// http and streams as the requests being served, turning their inline caches polymorphic or
// megamorphic from the first export on: every request paid for it, recorded or not
// (docs/benchmarks.md, "Tracing, eighth pass"). Here the serving thread only copies a batch's data
// into a message (span-transfer.ts); the worker (span-export-worker.ts) builds the spans back and
// exports them with OpenTelemetry's exporter, configured by the same OTEL_* variables as before.
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { core, type tracing } from '@opentelemetry/sdk-node';
import { batchData, type ExportAnswer, type ExportCall } from './span-transfer.ts';

/**
 * The export worker, from the file beside this one: built JavaScript as Tally runs, or TypeScript
 * when run from the sources through tsx, whose loader a worker does not inherit (tsx issue 354),
 * so that worker registers it before it loads the file.
 */
function exportWorker(env: NodeJS.ProcessEnv): Worker {
  const file = new URL(`./span-export-worker${extname(import.meta.url)}`, import.meta.url);
  if (extname(file.pathname) === '.js') return new Worker(file, { env });
  const load = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(load, { eval: true, env });
}

export class WorkerSpanExporter implements tracing.SpanExporter {
  /** Started by the first batch: a process that records nothing never starts it. */
  #worker: Worker | undefined;
  readonly #owed = new Map<number, (answer: ExportAnswer) => void>();
  #next = 0;
  /** Why the worker stopped, once it has: every later call fails with it. */
  #stopped: string | undefined;
  /** The OTEL_* settings as they were when the SDK made this exporter, whenever the worker starts. */
  readonly #env = { ...process.env };

  export(spans: tracing.ReadableSpan[], resultCallback: (result: core.ExportResult) => void): void {
    this.#ask({ kind: 'export', batch: batchData(spans) }, ({ code, error }) =>
      resultCallback({ code, ...(error !== undefined && { error: new Error(error) }) }),
    );
  }

  // A worker not yet started has nothing to flush.
  async forceFlush(): Promise<void> {
    if (this.#worker) await this.#call('flush');
  }

  async shutdown(): Promise<void> {
    const worker = this.#worker;
    if (worker) await this.#call('shutdown');
    this.#stopped = 'the span exporter was shut down';
    await worker?.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = exportWorker(this.#env);
    // Idle, the worker does not keep the process alive; while an answer is owed, it does (`#ask`).
    worker.unref();
    worker.on('message', (answer: ExportAnswer) => this.#settle(answer));
    worker.on('error', (error) => this.#stop(error.message));
    worker.on('exit', (code) => this.#stop(`the span export worker stopped with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #call(kind: 'flush' | 'shutdown'): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#ask({ kind }, ({ code, error }) =>
        code === core.ExportResultCode.SUCCESS ? resolve() : reject(new Error(error)),
      ),
    );
  }

  #ask(call: ExportCall, done: (answer: ExportAnswer) => void): void {
    const id = this.#next++;
    if (this.#stopped !== undefined) {
      done({ id, code: core.ExportResultCode.FAILED, error: this.#stopped });
      return;
    }
    const worker = this.#started();
    this.#owed.set(id, done);
    // A batch sent as the process stops still reaches the collector.
    if (this.#owed.size === 1) worker.ref();
    worker.postMessage({ ...call, id });
  }

  #settle(answer: ExportAnswer): void {
    const done = this.#owed.get(answer.id);
    this.#owed.delete(answer.id);
    if (this.#owed.size === 0) this.#worker?.unref();
    done?.(answer);
  }

  #stop(reason: string): void {
    if (this.#stopped === undefined) {
      this.#stopped = reason;
      // Said once, where an operator looks: OpenTelemetry reports a failed export only to its own
      // diagnostic logger, silent unless OTEL_LOG_LEVEL is set.
      process.emitWarning(`spans are no longer exported: ${reason}`);
    }
    for (const id of [...this.#owed.keys()]) this.#settle({ id, code: core.ExportResultCode.FAILED, error: reason });
  }
}
