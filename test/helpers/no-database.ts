// The unit project's setup: a unit test runs the code alone, so opening a database fails there,
// naming the way out. A test that needs one is a .db.test.ts, or talks HTTP to a server.
import { vi } from 'vitest';

vi.mock('../../src/platform/database.ts', async (original) => ({
  ...(await original<typeof import('../../src/platform/database.ts')>()),
  openDatabase: () => {
    throw new Error('a unit test opens no database: name the file *.db.test.ts, or make it an HTTP test');
  },
}));
