// Which process owns an embedded database directory. PGlite is one process's database: a second
// process writing the same files destroys it. The owner listens on a socket that the kernel lets
// only one process bind and takes away when that process dies, however it dies, so a crash leaves
// no stale lock and two processes starting in the same instant cannot both win.
import { statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export interface DirectoryLock {
  release(): Promise<void>;
}

/** Takes the lock on `dir` (which must exist), or returns undefined while another process holds it. */
export async function lockDirectory(dir: string): Promise<DirectoryLock | undefined> {
  if (process.platform === 'linux') {
    // The abstract socket namespace has no file to go stale. The name is the directory's identity,
    // so every path to it (relative, through a symlink) names the same lock.
    const { dev, ino } = statSync(dir);
    return listenOnce(`\0tally-embedded-database:${dev}:${ino}`);
  }
  // Without abstract sockets a socket file stands for the lock; one nobody answers on was left by a
  // process that died and is replaced (two processes replacing it in the same instant could both win).
  const path = `${dir}.lock`;
  const taken = await listenOnce(path);
  if (taken || (await answers(path))) return taken;
  unlinkSync(path);
  return listenOnce(path);
}

function listenOnce(address: string): Promise<DirectoryLock | undefined> {
  return new Promise((resolve, reject) => {
    // Nobody talks on the lock: it only exists.
    const server = createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen(address, () => {
      // The lock lasts as long as the process, but never keeps it alive.
      server.unref();
      resolve({ release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
