// PostgreSQL text cannot hold NUL characters; a request carrying one is refused up front with the
// field named, instead of failing deep in the database as a 500.
import { badRequest } from '../errors.ts';

/** The path of the first string under `value` that contains U+0000, or undefined. */
export function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const hit = findNul(value[k], `${path}/${k}`);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const hit = findNul(key, `${path}/${key}`) ?? findNul(v, `${path}/${key}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

export function refuseNul(request: { body?: unknown; query?: unknown; params?: unknown }): void {
  const field = findNul(request.body, 'body') ?? findNul(request.query, 'querystring') ?? findNul(request.params, 'params');
  if (field) throw badRequest('invalid_text', 'text must not contain NUL (U+0000) characters', field);
}
