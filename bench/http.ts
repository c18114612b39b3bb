// A real Tally server on a loopback port over the benchmark's database, and a lean keep-alive
// JSON client for it (node:http rather than fetch, so the client costs the shared CPU little).
import { Agent, request } from 'node:http';
import type { Config } from '../src/platform/config.ts';
import { createTally, makeLogger, type Tally } from '../src/app.ts';
import type { Database } from '../src/platform/database.ts';

export interface Reply {
  status: number;
  body: any;
  ms: number;
}

export interface BenchServer {
  /** Where it listens: http://127.0.0.1:<port>. */
  url: string;
  /** POSTs JSON; `ms` is the time until the last byte of the answer arrived, before parsing it. */
  post(path: string, body: unknown, token?: string): Promise<Reply>;
  /** GETs JSON, timed the same way. */
  get(path: string, token?: string): Promise<Reply>;
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** A keep-alive JSON client of Tally servers on these loopback ports, taking them in turn. */
export function jsonClient(
  ports: number[],
  connections: number,
): Omit<BenchServer, 'close' | 'url'> & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  const send = (method: 'GET' | 'POST', path: string, body: unknown, token?: string) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const start = performance.now();
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: ports[next++ % ports.length],
          path,
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            'content-length': Buffer.byteLength(payload),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - start;
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), ms });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const post: BenchServer['post'] = (path, body, token) => send('POST', path, body, token);
  return {
    post,
    get: (path, token) => send('GET', path, undefined, token),
    async login(email, password) {
      const reply = await post('/api/token', { email, password });
      if (reply.status !== 200) throw new Error(`login failed: ${JSON.stringify(reply.body)}`);
      return reply.body.access as string;
    },
    close: () => agent.destroy(),
  };
}

export async function startServer(config: Config, database: Database, connections: number): Promise<BenchServer> {
  const tally: Tally = await createTally(config, { database, log: makeLogger('silent'), jobs: false });
  await tally.app.listen({ port: 0, host: '127.0.0.1' });
  const address = tally.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no port');
  const client = jsonClient([address.port], connections);
  return {
    ...client,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      client.close();
      await tally.close();
    },
  };
}

/** The answer's body, or an error naming the call when the status is not the expected one. */
export function expectOk(reply: Reply, what: string, status = 200): any {
  if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}
