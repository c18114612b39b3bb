// Every body is walked once before validation, for two things no schema can stop in time: a JSON
// body nested thousands deep (valid JSON, but every recursive walk over it, validation and
// canonical hashing among them, would overflow the stack and answer 500), and NUL characters,
// which PostgreSQL text cannot hold. The walk keeps its own stack, so nothing recursive sees a
// body that is too deep.
import { badRequest } from '../errors.ts';

/** Far deeper than any Tally body (the deepest nests 3 levels), far shallower than a stack. */
export const MAX_BODY_DEPTH = 64;

/**
 * The path of the first string (key or value) under `value`, in document order, that contains
 * U+0000, or undefined; refuses a value nested deeper than MAX_BODY_DEPTH.
 */
export function firstNul(value: unknown, path: string): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const v = next.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return next.path;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (next.depth >= MAX_BODY_DEPTH)
      throw badRequest('body_too_deep', `the body nests more than ${MAX_BODY_DEPTH} levels deep`, 'body');
    const entries = Array.isArray(v) ? v.map((child, k) => [String(k), child] as const) : Object.entries(v);
    // Pushed last to first, so they come off in document order; an object's key before its value.
    for (let k = entries.length - 1; k >= 0; k--) {
      const [key, child] = entries[k]!;
      const at = `${next.path}/${key}`;
      pending.push({ value: child, path: at, depth: next.depth + 1 });
      if (!Array.isArray(v)) pending.push({ value: key, path: at, depth: next.depth + 1 });
    }
  }
  return undefined;
}

/** Refuses a body nested deeper than MAX_BODY_DEPTH (the same walk as the NUL check, which app.ts runs). */
export function refuseDeepBody(request: { body?: unknown }): void {
  firstNul(request.body, 'body');
}
