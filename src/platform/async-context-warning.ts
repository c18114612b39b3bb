// Before Node 24, AsyncLocalStorage hooks every promise of the process from the first store entered
// on (docs/benchmarks.md, "Which Node"), and a recorded trace enters OpenTelemetry's. An operator
// who turns tracing on there should hear what it costs and what removes the cost, once, at start.

/** The flag that gives Node 22 the AsyncLocalStorage of Node 24 (`AsyncContextFrame`). */
const FRAME_FLAG = '--experimental-async-context-frame';

/**
 * What tracing costs on Node `version` run with `flags` (its own and NODE_OPTIONS'), and the remedy;
 * undefined where it costs nothing more (Node 24 and later, or Node 22 with the flag).
 */
export function asyncContextWarning(version: string, flags: readonly string[]): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  // Node 22 and 23 have the flag; Node 20 has no AsyncContextFrame at all.
  if (Number.isNaN(major) || major >= 24 || (major >= 22 && flags.includes(FRAME_FLAG))) return undefined;
  const remedy = major >= 22 ? `set NODE_OPTIONS=${FRAME_FLAG}, or run Node 24` : 'run Node 24';
  return (
    `tracing on Node ${major}: once a request is recorded, every promise of this process pays ` +
    `AsyncLocalStorage's hook (about 3 to 7 % more CPU a transfer); ${remedy}`
  );
}
