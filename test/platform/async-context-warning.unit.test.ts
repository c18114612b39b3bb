// Tracing's start-up warning names the cost and the remedy exactly where Node has the cost.
import { describe, expect, it } from 'vitest';
import { asyncContextWarning } from '../../src/platform/async-context-warning.ts';

describe('asyncContextWarning', () => {
  it('says nothing on Node 24 and later, nor on Node 22 given the AsyncContextFrame flag', () => {
    expect(asyncContextWarning('v24.22.3', [])).toBeUndefined();
    expect(asyncContextWarning('v25.1.0', [])).toBeUndefined();
    expect(
      asyncContextWarning('v22.23.5', ['--max-old-space-size=512', '--experimental-async-context-frame']),
    ).toBeUndefined();
  });

  it('tells Node 22 the flag or Node 24, and Node 20 Node 24 only', () => {
    expect(asyncContextWarning('v22.23.5', ['--enable-source-maps'])).toBe(
      "tracing on Node 22: once a request is recorded, every promise of this process pays AsyncLocalStorage's hook " +
        '(about 3 to 7 % more CPU a transfer); set NODE_OPTIONS=--experimental-async-context-frame, or run Node 24',
    );
    expect(asyncContextWarning('v20.20.2', ['--experimental-async-context-frame'])).toBe(
      "tracing on Node 20: once a request is recorded, every promise of this process pays AsyncLocalStorage's hook " +
        '(about 3 to 7 % more CPU a transfer); run Node 24',
    );
  });
});
