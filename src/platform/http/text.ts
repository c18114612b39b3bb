// PostgreSQL text cannot hold NUL characters; a request carrying one is refused up front with the
// field named, instead of failing deep in the database as a 500. The same walk refuses a body
// nested too deep (depth.ts), so every body is walked once.
import { badRequest } from '../errors.ts';
import { firstNul } from './depth.ts';

export function refuseNul(request: { body?: unknown; query?: unknown; params?: unknown }): void {
  const field =
    firstNul(request.body, 'body') ?? firstNul(request.query, 'querystring') ?? firstNul(request.params, 'params');
  if (field) throw badRequest('invalid_text', 'text must not contain NUL (U+0000) characters', field);
}
