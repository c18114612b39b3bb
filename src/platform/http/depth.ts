// A JSON body nested thousands deep is valid JSON, but every recursive walk over it (the NUL check,
// validation, canonical hashing) would overflow the stack and answer 500. It is refused first,
// by a walk that keeps its own stack, so nothing recursive ever sees it.
import { badRequest } from '../errors.ts';

/** Far deeper than any Tally body (the deepest nests 3 levels), far shallower than a stack. */
export const MAX_BODY_DEPTH = 64;

export function refuseDeepBody(request: { body?: unknown }): void {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: request.body, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_BODY_DEPTH) throw badRequest('body_too_deep', `the body nests more than ${MAX_BODY_DEPTH} levels deep`, 'body');
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
}
