// OpenTelemetry's current context as Tally traces: held only while a call runs (`context.with`),
// never carried across an `await`. OpenTelemetry's default for Node carries it with an
// AsyncLocalStorage, and before Node 24 the first store entered hooks every promise the process
// makes from then on, traced or not (docs/benchmarks.md, "Which Node" and "Tracing, sixth pass").
// Tally hands a request's trace context on by hand instead: its queries get their parent from the
// request's database handle (query-spans.ts), and an outgoing call made for the request runs
// inside `context.with` of the context that handle carries (`withTraceOf`).
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

export class CallContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;

  active(): Context {
    return this.#active;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const before = this.#active;
    this.#active = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = before;
    }
  }

  /** A function runs in `context` whenever it is called; anything else is returned as it is. */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(context, target as (...a: unknown[]) => unknown, this, ...args);
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#active = ROOT_CONTEXT;
    return this;
  }
}
