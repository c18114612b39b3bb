// Changes sent with an Idempotency-Key. A request keeps its key until an answer comes back, so
// sending it again after a lost answer (a dropped connection) replays the first answer instead of
// changing twice; once answered, success or refusal, the next send of it is a new change with a new
// key (the API keeps refusals too, and would replay one after its cause is gone).
import { useCallback, useRef } from 'react';
import { idempotencyKey } from './client';

export type KeyHeader = { 'Idempotency-Key': string };

/**
 * A function that sends `request` through `send` with the request's key in a header. `request`
 * identifies the change (its route and body): the same request, the same key until answered.
 */
export function useIdempotent() {
  const keys = useRef(new Map<string, string>());
  return useCallback(async <A>(request: unknown, send: (header: KeyHeader) => Promise<A>): Promise<A> => {
    const id = JSON.stringify(request);
    const key = keys.current.get(id) ?? idempotencyKey();
    keys.current.set(id, key);
    const answer = await send({ 'Idempotency-Key': key });
    keys.current.delete(id);
    return answer;
  }, []);
}
