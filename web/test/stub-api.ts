// The API played by a stub for component tests: each call the client makes is answered by the
// test's function (by path, query and request) and kept, to check what was sent. Eject it after each test.
import type { Middleware } from 'openapi-fetch';
import { api } from '../src/api/client';

let stub: Middleware | undefined;

/** A JSON answer; a problem's content type from 400 on, as Tally sends it. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
  });

/** A problem as Tally words it. */
export const problem = (status: number, code: string, detail: string) =>
  json({ type: 'about:blank', title: 'Refused', status, code, detail }, status);

/** Answers each API call with `answer`; returns the requests as they are made. */
export function stubApi(
  answer: (path: string, query: URLSearchParams, request: Request) => Response | Promise<Response>,
): Request[] {
  ejectStub();
  const seen: Request[] = [];
  stub = {
    onRequest({ request }) {
      seen.push(request.clone());
      const url = new URL(request.url);
      return answer(url.pathname, url.searchParams, request);
    },
  };
  api.use(stub);
  return seen;
}

export function ejectStub(): void {
  if (stub) api.eject(stub);
  stub = undefined;
}
