// The web UI (web/, built by Vite into dist/web by `npm install`), served at `/` by the same server
// as the API. Its files are registered one route each (hashed assets cached for a year, the page
// itself never), and a browser asking for any other page of the app (`/ledger/blocks/3`, a reload
// anywhere) gets the app's index.html, whose router draws it; an API client's unknown path still
// gets its 404 problem.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface WebUi {
  /** The built directory: index.html and assets/. */
  root: string;
  index: Buffer;
}

/**
 * The built UI, wherever this file runs from (src/ under tsx, dist/src/ when built), or undefined
 * when it was never built (an install that skipped scripts): the API still serves.
 */
export function findWebUi(): WebUi | undefined {
  const root = [
    join(import.meta.dirname, '..', '..', '..', 'dist', 'web'),
    join(import.meta.dirname, '..', '..', '..', 'web'),
  ].find((dir) => existsSync(join(dir, 'assets')) && existsSync(join(dir, 'index.html')));
  return root ? { root, index: readFileSync(join(root, 'index.html')) } : undefined;
}

export async function registerWebUi(app: FastifyInstance, ui: WebUi): Promise<void> {
  await app.register(fastifyStatic, {
    root: ui.root,
    wildcard: false,
    // Vite names each asset by its content's hash: a file at a name never changes.
    setHeaders: (res, path) => {
      res.header(
        'cache-control',
        path.includes(`${join(ui.root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}

/** A browser navigating to a page of the app, not a client calling the API. */
export function wantsWebUi(request: FastifyRequest): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !request.url.startsWith('/api/') &&
    (request.headers.accept ?? '').includes('text/html')
  );
}
