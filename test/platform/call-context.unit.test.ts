// Tracing's current context lasts as long as a call and no longer: nothing is carried across an
// `await` (so no AsyncLocalStorage is needed), and a request's trace reaches an outgoing call
// through the request's own database handle (`withTraceOf`).
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { PostgresDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CallContextManager } from '../../src/platform/call-context.ts';
import type { Database } from '../../src/platform/database-interface.ts';

const key = createContextKey('request');
const first = ROOT_CONTEXT.setValue(key, 'first');
const second = ROOT_CONTEXT.setValue(key, 'second');

describe('CallContextManager', () => {
  const manager = new CallContextManager();

  it('holds a context for the call, nested calls each their own, and restores it after, thrown or not', () => {
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const seen = manager.with(first, () => [
      manager.active().getValue(key),
      manager.with(second, () => manager.active().getValue(key)),
      manager.active().getValue(key),
    ]);
    expect(seen).toEqual(['first', 'second', 'first']);
    expect(() =>
      manager.with(first, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('passes this and the arguments, and carries nothing past an await', async () => {
    const target = { name: 'target' };
    const named = manager.with(
      first,
      function (this: { name: string }, suffix: string) {
        return `${this.name}${suffix}`;
      },
      target,
      '!',
    );
    expect(named).toBe('target!');
    const afterAwait = await manager.with(first, async () => {
      await Promise.resolve();
      return manager.active();
    });
    expect(afterAwait).toBe(ROOT_CONTEXT);
  });

  it('binds a function to a context, keeping its this, and leaves anything else as it is', () => {
    const bound = manager.bind(second, function (this: unknown, n: number) {
      return [this, n, manager.active().getValue(key)];
    });
    const self = {};
    expect(bound.call(self, 3)).toEqual([self, 3, 'second']);
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const emitter = { on: () => undefined };
    expect(manager.bind(first, emitter)).toBe(emitter);
  });
});

describe('withTraceOf', () => {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  afterEach(() => {
    if (endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    context.disable();
  });

  it('runs a call in the trace of the request whose handle it is given, and any other as it is', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
    context.setGlobalContextManager(new CallContextManager());
    const { traceable, withTraceOf } = await import('../../src/platform/query-spans.ts');
    // A pool never asked for a connection: making handles and reading their trace reaches no server.
    const dialect = new PostgresDialect({
      pool: async () => {
        throw new Error('no connection is taken');
      },
    });
    const database = traceable(dialect, (kysely) => ({ kysely }) as unknown as Database);
    const [one, two] = [database.traced!(first), database.traced!(second)];
    const active = () => context.active().getValue(key);
    expect(withTraceOf(one.kysely, active)).toBe('first');
    expect(withTraceOf(two.kysely, active)).toBe('second');
    expect(withTraceOf(database.kysely, active)).toBeUndefined();
    expect(active()).toBeUndefined();
  });
});
