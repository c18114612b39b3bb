// While a server waits for its database it already listens, so that orchestrators see it alive
// and not ready: `/health/live` answers 200, everything else 503 `not_ready` naming the database's
// last answer, in the same problem+json shape the application gives. The application takes the
// port over once the database answers.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';

export interface WaitingListener {
  /** What the database last answered, for the 503 detail. */
  notReady(reason: string): void;
  close(): Promise<void>;
}

export async function listenWhileWaiting(port: number, host: string): Promise<WaitingListener> {
  let reason = 'connecting';
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ status: 'alive' }));
      return;
    }
    response.writeHead(503, { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '5' });
    response.end(
      JSON.stringify({
        type: 'urn:tally:problem:not_ready',
        title: 'Service Unavailable',
        status: 503,
        code: 'not_ready',
        detail: `database: does not answer: ${reason}`,
        instance: request.url ?? '/',
        request_id: randomUUID(),
      }),
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    notReady(r) {
      reason = r;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
