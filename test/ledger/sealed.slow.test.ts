// The sealed ledger: committed events grouped into RFC 6962 Merkle blocks chained by hash,
// public blocks and inclusion proofs, an NDJSON export, and `tally ledger verify` catching an
// event changed behind the triggers' back.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHash, GENESIS_PREVIOUS_HASH } from '../../src/ledger/canonical.ts';
import { verifyInclusion } from '../../src/ledger/merkle.ts';
import { eventLeafHash, sealNextBlock } from '../../src/ledger/seal.ts';
import { verifyExport } from '../../src/ledger/verify.ts';
import type { TestServer } from '../helpers/server.ts';
import { openLedgerWorld, type LedgerWorld } from '../helpers/ledger-world.ts';
import { expectStatus, issue, type World } from '../helpers/world.ts';
import { TALLY } from '../helpers/cli.ts';

const run = promisify(execFile);

let s: TestServer;
let w: World;
let auditor: LedgerWorld['auditor'];
let dir: string;
let world: LedgerWorld | undefined;
beforeAll(async () => {
  world = await openLedgerWorld('tally-ledger-');
  ({ s, w, auditor, dir } = world);
});
afterAll(() => world?.close());

const db = () => s.db.database.kysely;
const lines = (text: string) =>
  (async function* () {
    yield* text.split('\n');
  })();
async function exported(): Promise<string> {
  const r = await s.request('GET', '/api/ledger/export', { token: auditor.token });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('application/x-ndjson');
  return r.body as string;
}

describe('sealing', () => {
  it('seals every committed event once, in blocks chained by hash', async () => {
    // Three small blocks first, so proofs and the chain span several blocks.
    for (let k = 0; k < 3; k++)
      await db()
        .transaction()
        .execute((trx) => sealNextBlock(trx, s.clock.now(), 3));
    const events = await s.eventCount();
    const sealed = await expectStatus(s.request('POST', '/api/ledger/seal', { token: auditor.token }), 200);
    expect(sealed.events_sealed).toBe(events - 9);
    expect(sealed.blocks_sealed).toBe(1);
    expect(await expectStatus(s.request('POST', '/api/ledger/seal', { token: auditor.token }), 200)).toEqual({
      blocks_sealed: 0,
      events_sealed: 0,
    });

    const blocks = (await expectStatus(s.request('GET', '/api/ledger/blocks'), 200)).items;
    expect(blocks.map((b: any) => [b.height, b.size])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
      [4, events - 9],
    ]);
    blocks.forEach((b: any, k: number) => {
      expect(b.previous_hash).toBe(k === 0 ? GENESIS_PREVIOUS_HASH : blocks[k - 1].block_hash);
      expect(blockHash(b)).toBe(b.block_hash);
    });
    const ids = (
      await Promise.all(blocks.map((b: any) => expectStatus(s.request('GET', `/api/ledger/blocks/${b.height}`), 200)))
    ).flatMap((b: any) => b.event_ids);
    expect(new Set(ids).size).toBe(events);
  });

  it('proves each event is in its block, publicly, and refuses a forged leaf', async () => {
    const all = (await expectStatus(s.request('GET', '/api/events?limit=1000', { token: auditor.token }), 200)).items;
    for (const e of all) {
      const p = await expectStatus(s.request('GET', `/api/events/${e.id}/proof`), 200);
      expect(p.leaf_hash).toBe(eventLeafHash(e).toString('hex'));
      const path = p.path.map((h: string) => Buffer.from(h, 'hex'));
      expect(
        verifyInclusion(Buffer.from(p.leaf_hash, 'hex'), p.leaf_index, p.tree_size, path, Buffer.from(p.root, 'hex')),
      ).toBe(true);
      expect(
        verifyInclusion(
          eventLeafHash({ ...e, payload: { forged: true } }),
          p.leaf_index,
          p.tree_size,
          path,
          Buffer.from(p.root, 'hex'),
        ),
      ).toBe(false);
    }
  });

  it('answers 409 for an event not sealed yet and 404 for an unknown one', async () => {
    await issue(s, w, [[0, 10]]);
    const last = (
      await expectStatus(s.request('GET', '/api/events?type=certificates.issued', { token: auditor.token }), 200)
    ).items.at(-1);
    const r = await s.request('GET', `/api/events/${last.id}/proof`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('not_sealed');
    expect((await s.request('GET', '/api/events/999999/proof')).status).toBe(404);
  });

  it('refuses changes to blocks and leaves', async () => {
    await expect(sql`UPDATE ledger_blocks SET root = 'x'`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_leaves`.execute(db())).rejects.toThrow(/append-only/);
  });

  it('keeps the export to auditors, issuers and admins', async () => {
    expect((await s.request('GET', '/api/ledger/export')).status).toBe(401);
    expect((await s.request('GET', '/api/ledger/export', { token: w.trader.token })).status).toBe(403);
  });
});

describe('verifying an export', () => {
  it('passes on the export as sealed, in process and with `tally ledger verify FILE`', async () => {
    await expectStatus(s.request('POST', '/api/ledger/seal', { token: auditor.token }), 200);
    const text = await exported();
    const report = await verifyExport(lines(text));
    expect(report).toEqual({ blocks: 5, events: await s.eventCount(), signed: 0 });
    const file = join(dir, 'ledger.ndjson');
    writeFileSync(file, text);
    const { stdout } = await run('node', [...TALLY, 'ledger', 'verify', file]);
    expect(stdout).toContain(`ok: 5 block(s), ${report.events} event(s)`);
  });

  it('names the first break after an event is changed behind the triggers, also from a URL', async () => {
    const victim = (await expectStatus(s.request('GET', '/api/ledger/blocks/2'), 200)).event_ids[1];
    // As the table's owner, with the append-only trigger switched off: what an intruder with database access could do.
    await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(db());
    await sql`UPDATE events SET payload = jsonb_set(payload, '{forged}', 'true') WHERE id = ${victim}`.execute(db());
    await sql`ALTER TABLE events ENABLE TRIGGER events_append_only`.execute(db());

    const report = await verifyExport(lines(await exported()));
    expect(report.blocks).toBe(1);
    expect(report.break).toBe(
      `block 2: event ${victim} (leaf 1) does not hash to the leaf sealed for it: it was changed after sealing`,
    );
    const cli = await run('node', [...TALLY, 'ledger', 'verify', `${s.url}/api/ledger/export`], {
      env: { ...process.env, TALLY_TOKEN: auditor.token },
    }).catch((e) => e);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`BREAK after 1 good block(s): block 2: event ${victim}`);
  });

  it('notices a block whose leaves were rewritten to match a changed event', async () => {
    const text = await exported();
    const [first, second, ...rest] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    second.leaf_hashes = second.events.map((e: any) => eventLeafHash(e).toString('hex'));
    const report = await verifyExport(lines([first, second, ...rest].map((x) => JSON.stringify(x)).join('\n')));
    expect(report.break).toBe('block 2: its leaf hashes do not hash to its Merkle root');
  });
});
