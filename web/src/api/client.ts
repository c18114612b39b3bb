// The API client: openapi-fetch typed by the generated schema.d.ts, so a call the API does not
// offer, or a field it does not have, fails the type check. Same origin: the UI is served by Tally.
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export const api = createClient<paths>({ baseUrl: '' });

/** RFC 9457 problem details, as every refusal of Tally's API comes. */
export interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  status?: number;
  errors?: { field: string; message: string }[];
}

/** The problem's own words for a person: its detail, and the fields it names. */
export function problemText(problem: unknown): string {
  const p = (problem ?? {}) as Problem;
  const fields = p.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  return [p.detail ?? p.title ?? 'The request failed', fields].filter(Boolean).join(' — ');
}

/** The answer's data, or a thrown Error carrying the problem's text (for TanStack Query to show). */
export function dataOf<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined) return answer.data;
  throw new Error(problemText(answer.error ?? { title: `HTTP ${answer.response.status}` }));
}

/**
 * A fresh Idempotency-Key for one change: 128 random bits in hex. Not crypto.randomUUID, which
 * browsers offer only on https or localhost, and Tally may be served over plain http inside a network.
 */
export function idempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
