// A trusted anchor for the ledger, as Certificate Transparency gives its logs: every block's head
// is signed with Ed25519, the keys and the newest head are public, and `tally ledger verify`
// catches a rewrite of the whole chain behind the triggers, or an export cut short, by checking
// the export against a head or an export kept from before, and a URL against its server's head.
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { blockHash, canonicalJson, GENESIS_PREVIOUS_HASH } from '../../src/ledger/canonical.ts';
import { keyId, keyRing } from '../../src/ledger/heads.ts';
import { sealNow } from '../../src/ledger/jobs.ts';
import { treeHash } from '../../src/ledger/merkle.ts';
import { eventLeafHash } from '../../src/ledger/seal.ts';
import { verifyExport } from '../../src/ledger/verify.ts';
import { verifySource } from '../../src/ledger/verify-source.ts';
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
  world = await openLedgerWorld('tally-signed-');
  ({ s, w, auditor, dir } = world);
});
afterAll(() => world?.close());

const db = () => s.db.database.kysely;
const exportUrl = () => `${s.url}/api/ledger/export`;
const seal = () => expectStatus(s.request('POST', '/api/ledger/seal', { token: auditor.token }), 200);
const exported = async (): Promise<string> =>
  (await expectStatus(s.request('GET', '/api/ledger/export', { token: auditor.token }), 200)) as string;
const exportedBlocks = async () =>
  (await exported())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
/** `tally ledger verify ARGS`, as a reader runs it; resolves with the exit code and output. */
const cliVerify = (...args: string[]) =>
  run('node', [...TALLY, 'ledger', 'verify', ...args], { env: { ...process.env, TALLY_TOKEN: auditor.token } }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

let savedExport: string;
let savedHead: string;
let events: number;

describe('signed heads', () => {
  it("has no head before anything is sealed, then signs every block's head with a listed key", async () => {
    const none = await s.request('GET', '/api/ledger/head');
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('not_sealed');
    expect((await expectStatus(s.request('GET', '/api/ledger/keys'), 200)).items).toEqual([]);

    await seal();
    await issue(s, w, [[0, 100]]);
    await seal();
    await issue(s, w, [[1, 200]]);
    await seal();
    events = await s.eventCount();

    const keys = (await expectStatus(s.request('GET', '/api/ledger/keys'), 200)).items;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ algorithm: 'Ed25519', key_id: keyId(createPublicKey(keys[0].public_key)) });
    const head = await expectStatus(s.request('GET', '/api/ledger/head'), 200);
    const block = await expectStatus(s.request('GET', '/api/ledger/blocks/3'), 200);
    expect(head).toEqual({
      height: 3,
      block_hash: block.block_hash,
      size: events,
      timestamp: block.sealed_at,
      key_id: keys[0].key_id,
      signature: head.signature,
    });
    const message = canonicalJson({
      height: 3,
      block_hash: block.block_hash,
      size: events,
      timestamp: block.sealed_at,
    });
    expect(
      verify(null, Buffer.from(message), createPublicKey(keys[0].public_key), Buffer.from(head.signature, 'base64')),
    ).toBe(true);

    // Every exported block carries its own head; the last one is the head the server serves.
    const blocks = await exportedBlocks();
    expect(blocks.map((b) => [b.head.height, b.head.block_hash, b.head.key_id])).toEqual(
      blocks.map((b) => [b.block.height, b.block.block_hash, keys[0].key_id]),
    );
    expect(blocks.at(-1).head).toEqual(head);
    savedExport = file('old.ndjson', await exported());
    savedHead = file('head.json', JSON.stringify(head, null, 2));
  });

  it("verifies a URL against its server's signed head and keys, and a later export against a saved one", async () => {
    await issue(s, w, [[2, 300]]);
    await seal();
    const byUrl = await cliVerify(exportUrl());
    expect(byUrl.code).toBe(0);
    expect(byUrl.stdout).toContain(`ok: 4 block(s), ${await s.eventCount()} event(s);`);
    expect(byUrl.stdout).toContain("4 signed head(s) verified; holds the server's signed head unchanged up to block 4");
    const sinceExport = await cliVerify(exportUrl(), '--since', savedExport);
    expect(sinceExport.stdout).toContain(`holds OLD (${savedExport}) unchanged up to block 3`);
    const sinceHead = await cliVerify(exportUrl(), '--since', savedHead);
    expect(sinceHead.code).toBe(0);
    expect(sinceHead.stdout).toContain(`holds OLD (${savedHead}) unchanged up to block 3`);
  });

  it('refuses a head signed by a key other than the one given', async () => {
    const other = file(
      'other.pem',
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const keyIdNow = (await expectStatus(s.request('GET', '/api/ledger/head'), 200)).key_id;
    const r = await cliVerify(exportUrl(), '--key', other);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "BREAK after 0 good block(s): the server's signed head (block 4): " +
        `its head is signed by key ${keyIdNow}, which is not among the known keys\n`,
    );
  });

  it('reads an export made before heads were signed', async () => {
    const old = (await exportedBlocks()).map(({ head: _head, ...rest }) => JSON.stringify(rest)).join('\n');
    expect(
      await verifyExport(
        (async function* () {
          yield* old.split('\n');
        })(),
      ),
    ).toEqual({ blocks: 4, events: await s.eventCount(), signed: 0 });
  });

  it('names a block whose signed head was dropped, once heads began or keys are given', async () => {
    const blocks = await exportedBlocks();
    const lastUnsigned = blocks
      .map(({ head, ...rest }, k) => JSON.stringify(k === blocks.length - 1 ? rest : { ...rest, head }))
      .join('\n');
    expect(
      (
        await verifyExport(
          (async function* () {
            yield* lastUnsigned.split('\n');
          })(),
        )
      ).break,
    ).toBe(`block ${blocks.length} has no signed head, though the blocks before it have`);
    const unsigned = blocks.map(({ head: _head, ...rest }) => JSON.stringify(rest)).join('\n');
    const keys = keyRing(
      (await expectStatus(s.request('GET', '/api/ledger/keys'), 200)).items.map(
        (k: { public_key: string }) => k.public_key,
      ),
    );
    expect(
      (
        await verifyExport(
          (async function* () {
            yield* unsigned.split('\n');
          })(),
          { keys },
        )
      ).break,
    ).toBe('block 1 has no signed head to check against the known keys');
  });

  it('signs with the configured key, and heads signed before a rotation still verify', async () => {
    const configured = generateKeyPairSync('ed25519').privateKey;
    const config = loadConfig({
      TALLY_LEDGER_KEY: configured.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    });
    expect(keyId(createPublicKey(config.ledgerKey!))).toBe(keyId(createPublicKey(configured)));
    expect(() => loadConfig({ TALLY_LEDGER_KEY: 'not a key' })).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        TALLY_LEDGER_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      }),
    ).toThrow('TALLY_LEDGER_KEY: must be an Ed25519 private key, as PKCS#8 PEM or its DER in base64');

    const sealed = await s.eventCount();
    await issue(s, w, [[3, 400]]);
    expect(await sealNow(db(), config.ledgerKey, s.clock.now())).toEqual({
      blocks: 1,
      events: (await s.eventCount()) - sealed,
    });
    const head = await expectStatus(s.request('GET', '/api/ledger/head'), 200);
    expect(head).toMatchObject({ height: 5, key_id: keyId(createPublicKey(configured)) });
    expect((await expectStatus(s.request('GET', '/api/ledger/keys'), 200)).items.map((k: any) => k.key_id)).toContain(
      head.key_id,
    );
    const report = await verifySource(exportUrl(), { token: auditor.token });
    expect(report).toMatchObject({ blocks: 5, events: await s.eventCount(), signed: 5 });
    expect(report.break).toBeUndefined();
  });
});

describe('a rewrite or a cut', () => {
  /**
   * What an intruder with the database owner's rights can do with the triggers off: change an
   * event, its leaf hash, its block's root and every later block's hashes, so that the chain
   * recomputes.
   */
  async function rewriteChain(height: number, leaf: number): Promise<void> {
    const blocks = await exportedBlocks();
    const entry = blocks[height - 1];
    const event = entry.events[leaf];
    const leaves = [...entry.leaf_hashes];
    leaves[leaf] = eventLeafHash({ ...event, payload: { ...event.payload, forged: true } }).toString('hex');
    for (const table of ['events', 'ledger_leaves', 'ledger_blocks'])
      await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER USER`.execute(db());
    await sql`UPDATE events SET payload = payload || '{"forged": true}' WHERE id = ${event.id}`.execute(db());
    await sql`UPDATE ledger_leaves SET leaf_hash = ${leaves[leaf]} WHERE event_id = ${event.id}`.execute(db());
    let previous = blocks[height - 2]?.block.block_hash ?? GENESIS_PREVIOUS_HASH;
    for (const b of blocks.slice(height - 1)) {
      const header = {
        ...b.block,
        previous_hash: previous,
        root:
          b.block.height === height ? treeHash(leaves.map((h) => Buffer.from(h, 'hex'))).toString('hex') : b.block.root,
      };
      previous = blockHash(header);
      await sql`UPDATE ledger_blocks
        SET root = ${header.root}, previous_hash = ${header.previous_hash}, block_hash = ${previous}
        WHERE height = ${b.block.height}`.execute(db());
    }
    for (const table of ['events', 'ledger_leaves', 'ledger_blocks'])
      await sql`ALTER TABLE ${sql.table(table)} ENABLE TRIGGER USER`.execute(db());
  }

  it("catches an export cut short: against the export kept before, and against the server's signed head", async () => {
    const full = await exported();
    const cut = file('cut.ndjson', `${full.trim().split('\n').slice(0, 2).join('\n')}\n`);
    const r = await cliVerify(cut, '--since', savedExport);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'BREAK after 2 good block(s): the export ends at block 2, ' +
        `but OLD (${savedExport}) reaches block 3: blocks 3–3 are missing\n`,
    );

    // A server that hands out its real head and keys but a shortened export.
    const relay = async (path: string) => JSON.stringify(await expectStatus(s.request('GET', path), 200));
    const routes: Record<string, string> = {
      '/api/ledger/export': `${full.trim().split('\n').slice(0, 3).join('\n')}\n`,
      '/api/ledger/head': await relay('/api/ledger/head'),
      '/api/ledger/keys': await relay('/api/ledger/keys'),
    };
    const liar: Server = createServer((req, res) => res.end(routes[req.url ?? '']));
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const byUrl = await cliVerify(`http://127.0.0.1:${(liar.address() as { port: number }).port}/api/ledger/export`);
      expect(byUrl.code).toBe(1);
      expect(byUrl.stdout).toBe(
        'BREAK after 3 good block(s): the export ends at block 3, ' +
          "but the server's signed head reaches block 5: blocks 4–5 are missing\n",
      );
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  it('names the block whose signed head no longer matches after the chain is rewritten', async () => {
    await rewriteChain(2, 0);
    // The recomputed chain alone verifies: without heads this rewrite would go unnoticed.
    const unsigned = (await exportedBlocks()).map(({ head: _head, ...rest }) => JSON.stringify(rest));
    expect(
      (
        await verifyExport(
          (async function* () {
            yield* unsigned;
          })(),
        )
      ).break,
    ).toBeUndefined();

    const r = await cliVerify(exportUrl());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'BREAK after 1 good block(s): block 2: its signed head does not match the block (block_hash)\n',
    );
  });

  it('names the changed block and event against a kept export even when the heads were signed again', async () => {
    // The intruder also holds the generated key (it is in the database) and signs the rewritten heads.
    await sql`ALTER TABLE ledger_heads DISABLE TRIGGER USER`.execute(db());
    await sql`DELETE FROM ledger_heads`.execute(db());
    await sql`ALTER TABLE ledger_heads ENABLE TRIGGER USER`.execute(db());
    await sealNow(db(), undefined, s.clock.now());
    expect((await cliVerify(exportUrl())).code).toBe(0);

    const victim = (await exportedBlocks())[1].events[0].id;
    const sinceExport = await cliVerify(exportUrl(), '--since', savedExport);
    expect(sinceExport.code).toBe(1);
    expect(sinceExport.stdout).toBe(
      `BREAK after 1 good block(s): block 2 differs from OLD (${savedExport}): ` +
        `root, leaf 0 (event ${victim}) changed\n`,
    );
    const old = JSON.parse(readFileSync(savedHead, 'utf8'));
    const now = await expectStatus(s.request('GET', '/api/ledger/blocks/3'), 200);
    const sinceHead = await cliVerify(exportUrl(), '--since', savedHead);
    expect(sinceHead.code).toBe(1);
    expect(sinceHead.stdout).toBe(
      `BREAK after 2 good block(s): block 3 differs from OLD (${savedHead}): ` +
        `its block_hash is ${now.block_hash}, OLD (${savedHead}) has ${old.block_hash}\n`,
    );
  });
});
