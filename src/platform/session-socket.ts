// The process that holds an embedded database lends its one session to other processes over a
// Unix socket, so `tally seed` next to `tally serve` reaches the server's database instead of its
// files. Each connection borrows the session from the holder's own queue for a turn and gives it
// back with `release`, so a transaction from outside and the holder's own work never interleave.
// Messages are length-prefixed V8 structured clones: both ends are the same Node, and Dates,
// byte arrays and big integers cross as themselves.
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { deserialize, serialize } from 'node:v8';
import { SessionPool, type PgStyleResult, type SessionOps } from './session-pool.ts';

/** Who holds a database directory, as a refused second server names it. */
export interface Holder {
  pid: number;
  command: string;
}

type Request =
  | { op: 'hello' }
  | { op: 'release' }
  | { op: 'query'; sql: string; params: readonly unknown[] }
  | { op: 'exec'; sql: string }
  | { op: 'copy'; table: string; columns: readonly string[]; csv: string };
type Reply = { ok: unknown } | { error: { message: string; fields: Record<string, unknown> } };

export function frame(value: unknown): Buffer {
  const body = serialize(value);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** Calls `onFrame` with each whole message; chunks are joined only once a message is complete. */
export function readFrames(socket: Readable, onFrame: (value: unknown) => void): void {
  let chunks: Buffer[] = [];
  let size = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    for (;;) {
      if (size < 4 || chunks[0]!.length < 4) {
        if (size < 4) return;
        chunks = [Buffer.concat(chunks)];
      }
      const end = 4 + chunks[0]!.readUInt32BE(0);
      if (size < end) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      let value: unknown;
      try {
        value = deserialize(all.subarray(4, end));
      } catch {
        socket.destroy(); // not one of ours: drop the peer, not the process
        return;
      }
      onFrame(value);
      chunks = all.length > end ? [all.subarray(end)] : [];
      size -= end;
    }
  });
}

/** A database error crosses as its message and plain fields (`code` is what callers test). */
function failed(err: unknown): Reply {
  const fields =
    typeof err === 'object' && err !== null
      ? Object.fromEntries(Object.entries(err).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)))
      : {};
  return { error: { message: (err as Error).message ?? String(err), fields } };
}

export interface SessionServer {
  close(): Promise<void>;
}

/**
 * Lends the session of `pool` (which may still be opening) on a socket at `path`, readable by this
 * user only. Closing waits until no borrower is connected, then stops listening.
 */
export async function serveSessions(path: string, holder: Holder, pool: Promise<SessionPool>): Promise<SessionServer> {
  // A socket file left by a holder that died: we hold the lock, so nobody else serves on it.
  rmSync(path, { force: true });
  pool.catch(() => {}); // a failed open reaches each borrower, and the holder that opened it
  let open = 0;
  let closing: (() => void) | undefined;
  const server = createServer((socket) => {
    open++;
    let turn: { ops: SessionOps; end(): void } | undefined;
    let done: Promise<void> = Promise.resolve();
    const borrowed = async () => (turn ??= await (await pool).take());
    const answer = async (req: Request): Promise<unknown> => {
      switch (req.op) {
        case 'hello':
          return holder;
        case 'release':
          turn?.end();
          turn = undefined;
          return null;
        case 'query':
          return (await borrowed()).ops.query(req.sql, req.params);
        case 'exec':
          return (await borrowed()).ops.exec(req.sql);
        case 'copy':
          return (await borrowed()).ops.copyCsv(req.table, req.columns, req.csv);
      }
    };
    // One request at a time, in order: the borrower's statements run as it sent them.
    // A reply that cannot be sent ends the connection (and so the turn), never the queue behind it.
    readFrames(socket, (req) => {
      done = done
        .then(() => answer(req as Request))
        .then((ok) => ({ ok }), failed)
        .then((reply) => {
          if (!socket.destroyed) socket.write(frame(reply));
        })
        .catch(() => {
          socket.destroy();
        });
    });
    // A borrower that went away mid-transaction (killed, crashed) leaves nothing half done.
    socket.on('close', () => {
      done = done.then(async () => {
        if (!turn) return;
        await turn.ops.exec('ROLLBACK').catch(() => {});
        turn.end();
        turn = undefined;
      });
      if (--open === 0) closing?.();
    });
    socket.on('error', () => {}); // 'close' follows
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  chmodSync(path, 0o600);
  return {
    // Borrowers that arrive while others finish are still served: a command started a moment too
    // late waits for this holder's end instead of being turned away by a socket that went quiet.
    close: () =>
      new Promise((resolve) => {
        closing = () => {
          closing = undefined;
          server.close(() => resolve());
        };
        if (open === 0) closing();
      }),
  };
}

export interface Borrowed {
  holder: Holder;
  pool: SessionPool;
  close(): Promise<void>;
}

/** Connects to the holder serving on `path`; undefined when nobody answers there. */
export async function borrowSessions(path: string): Promise<Borrowed | undefined> {
  const socket = await new Promise<Socket | undefined>((resolve) => {
    const s = createConnection(path, () => resolve(s));
    s.once('error', () => resolve(undefined));
  });
  if (!socket) return undefined;
  const waiting: { resolve(value: unknown): void; reject(err: Error): void }[] = [];
  let gone: Error | undefined;
  readFrames(socket, (value) => {
    const reply = value as Reply;
    const caller = waiting.shift()!;
    if ('ok' in reply) caller.resolve(reply.ok);
    else caller.reject(Object.assign(new Error(reply.error.message), reply.error.fields));
  });
  socket.on('error', () => {}); // 'close' follows
  socket.on('close', () => {
    gone = new Error(`the process holding the embedded database stopped answering on ${path}`);
    for (const caller of waiting.splice(0)) caller.reject(gone);
  });
  const call = (req: Request) =>
    new Promise<unknown>((resolve, reject) => {
      if (gone) return reject(gone);
      const bytes = frame(req); // may throw on a value that cannot cross: before it is awaited
      waiting.push({ resolve, reject });
      socket.write(bytes);
    });
  const holder = (await call({ op: 'hello' }).catch(() => undefined)) as Holder | undefined;
  if (!holder) {
    socket.destroy();
    return undefined;
  }
  const ops: SessionOps = {
    query: async (sql, params) => (await call({ op: 'query', sql, params })) as PgStyleResult,
    exec: async (sql) => {
      await call({ op: 'exec', sql });
    },
    copyCsv: async (table, columns, csv) => {
      await call({ op: 'copy', table, columns, csv });
    },
  };
  // Releases are pipelined: the holder reads them before this process's next request.
  const pool = new SessionPool(ops, () => {
    call({ op: 'release' }).catch(() => {});
  });
  return {
    holder,
    pool,
    close: () =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
      }),
  };
}
