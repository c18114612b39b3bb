// What the ledger's test files share: a real server with the registry world, an auditor who
// seals, and a temporary folder for exports and heads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from './server.ts';
import { buildWorld, type World } from './world.ts';

export interface LedgerWorld {
  s: TestServer;
  w: World;
  auditor: { id: number; token: string };
  dir: string;
  close(): Promise<void>;
}

export async function openLedgerWorld(prefix: string): Promise<LedgerWorld> {
  const s = await startServer();
  const w = await buildWorld(s);
  const auditor = await s.user('auditor');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    s,
    w,
    auditor,
    dir,
    async close() {
      rmSync(dir, { recursive: true, force: true });
      await s.close();
    },
  };
}
