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
