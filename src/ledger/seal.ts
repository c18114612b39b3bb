// The sealer: groups committed events, in commit order, into Merkle blocks chained by hash.
// It takes no lock on the event log: it reads only below the commit horizon, where no running
// transaction can still add an event, and the job runner makes sure one sealer runs at a time.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { blockHash, canonicalJson, GENESIS_PREVIOUS_HASH, type BlockHeader, type SealedEvent } from './canonical.ts';
import { headAt, type SignedHead } from './heads.ts';
import { committedEventsAfter, countEventsAfter, type LogPosition } from './log-order.ts';
import { inclusionPath, leafHash, treeHash } from './merkle.ts';
import { eventView } from './events.ts';
import { ledger, type BlockTableRow } from './tables.ts';

export interface BlockRow extends BlockHeader {
  block_hash: string;
}

/** Events per block at most: a block's proof paths stay short and a sealing transaction small. */
const BLOCK_EVENTS = 10_000;

export const eventLeafHash = (e: SealedEvent): Buffer => leafHash(Buffer.from(canonicalJson(e), 'utf8'));

const header = (b: BlockTableRow): BlockRow => ({
  height: b.height,
  size: b.size,
  root: b.root,
  previous_hash: b.previous_hash,
  sealed_at: b.sealed_at.toISOString(),
  block_hash: b.block_hash,
});

const lastBlock = (db: Db) =>
  ledger(db).selectFrom('ledger_blocks').selectAll().orderBy('height', 'desc').limit(1).executeTakeFirst();

/** Where the last block ends in the log. */
const endOf = (last: BlockTableRow | undefined): LogPosition | undefined =>
  last ? { xact_id: last.last_xact_id, id: last.last_event_id } : undefined;

/**
 * Committed events not yet in a block (the ledger's lag, for the metrics): those the sealer has not
 * reached, whether below the commit horizon or waiting above it for an older transaction to end.
 * One range of the events_order index after the last block, as long as the lag is.
 */
export async function unsealedEvents(db: Db): Promise<number> {
  return countEventsAfter(db, endOf(await lastBlock(db)));
}

/** Seals the next block of committed events, if there are any; returns it. Run inside the job's transaction. */
export async function sealNextBlock(trx: Db, now: Date, maxEvents = BLOCK_EVENTS): Promise<BlockRow | undefined> {
  const last = await lastBlock(trx);
  const events = await committedEventsAfter(trx, endOf(last), maxEvents);
  const tail = events[events.length - 1];
  if (!tail) return undefined;

  const leaves = events.map((e) => eventLeafHash(eventView(e)));
  const block: BlockHeader = {
    height: (last?.height ?? 0) + 1,
    size: events.length,
    root: treeHash(leaves).toString('hex'),
    previous_hash: last?.block_hash ?? GENESIS_PREVIOUS_HASH,
    sealed_at: now.toISOString(),
  };
  const hash = blockHash(block);
  await ledger(trx)
    .insertInto('ledger_blocks')
    .values({ ...block, block_hash: hash, last_xact_id: tail.xact_id, last_event_id: tail.id, sealed_at: now })
    .execute();
  await sql`
    INSERT INTO ledger_leaves (event_id, block_height, leaf_index, leaf_hash)
    SELECT e, ${block.height}, i - 1, h
    FROM unnest(${events.map((e) => e.id)}::bigint[], ${leaves.map((l) => l.toString('hex'))}::text[])
      WITH ORDINALITY AS t(e, h, i)`.execute(trx);
  return { ...block, block_hash: hash };
}

/** Seals every committed event not yet in a block; returns how many events it sealed. */
export async function sealAll(trx: Db, now: Date): Promise<{ blocks: number; events: number }> {
  let blocks = 0,
    events = 0;
  for (let b = await sealNextBlock(trx, now); b; b = await sealNextBlock(trx, now)) {
    blocks++;
    events += b.size;
  }
  return { blocks, events };
}

export async function listBlocks(db: Db, afterHeight: number, limit: number): Promise<BlockRow[]> {
  const rows = await ledger(db)
    .selectFrom('ledger_blocks')
    .selectAll()
    .where('height', '>', afterHeight)
    .orderBy('height')
    .limit(limit)
    .execute();
  return rows.map(header);
}

export async function getBlock(db: Db, height: number): Promise<BlockRow & { event_ids: number[] }> {
  const row = await ledger(db).selectFrom('ledger_blocks').selectAll().where('height', '=', height).executeTakeFirst();
  if (!row) throw notFound('block', height);
  const leaves = await ledger(db)
    .selectFrom('ledger_leaves')
    .select('event_id')
    .where('block_height', '=', height)
    .orderBy('leaf_index')
    .execute();
  return { ...header(row), event_ids: leaves.map((l) => l.event_id) };
}

export interface InclusionProof {
  event_id: number;
  block: number;
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  root: string;
  path: string[];
}

/** The proof that an event is in its block: the sibling hashes from its leaf to the block's root. */
export async function inclusionProof(db: Db, eventId: number): Promise<InclusionProof> {
  const leaf = await ledger(db)
    .selectFrom('ledger_leaves')
    .selectAll()
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  if (!leaf) {
    const exists = await ledger(db).selectFrom('events').select('id').where('id', '=', eventId).executeTakeFirst();
    if (!exists) throw notFound('event', eventId);
    throw conflict('not_sealed', `event ${eventId} is not sealed yet; the next block will hold it`);
  }
  const block = await ledger(db)
    .selectFrom('ledger_blocks')
    .select(['root', 'size'])
    .where('height', '=', leaf.block_height)
    .executeTakeFirstOrThrow();
  const siblings = await ledger(db)
    .selectFrom('ledger_leaves')
    .select('leaf_hash')
    .where('block_height', '=', leaf.block_height)
    .orderBy('leaf_index')
    .execute();
  const path = inclusionPath(
    siblings.map((s) => Buffer.from(s.leaf_hash, 'hex')),
    leaf.leaf_index,
  );
  return {
    event_id: eventId,
    block: leaf.block_height,
    leaf_index: leaf.leaf_index,
    tree_size: block.size,
    leaf_hash: leaf.leaf_hash,
    root: block.root,
    path: path.map((p) => p.toString('hex')),
  };
}

/** One line of an export; `head` is absent in exports made before heads were signed, which stay readable. */
export interface ExportedBlock {
  block: BlockRow;
  events: SealedEvent[];
  leaf_hashes: string[];
  head?: SignedHead;
}

/**
 * The sealed log, a block at a time with its events in leaf order, the leaf hashes recorded
 * when it was sealed and its signed head: what `tally ledger verify` checks, and what lets it
 * name a changed event.
 */
export async function* exportBlocks(db: Db): AsyncGenerator<ExportedBlock> {
  for (let after = 0; ; ) {
    const [block] = await listBlocks(db, after, 1);
    if (!block) return;
    yield await exported(db, block);
    after = block.height;
  }
}

/** One sealed block as an export holds it (what Tally publishes of it), or undefined if none is sealed at `height`. */
export async function exportBlock(db: Db, height: number): Promise<ExportedBlock | undefined> {
  const [block] = await listBlocks(db, height - 1, 1);
  return block?.height === height ? exported(db, block) : undefined;
}

async function exported(db: Db, block: BlockRow): Promise<ExportedBlock> {
  const events = await ledger(db)
    .selectFrom('ledger_leaves as l')
    .innerJoin('events as e', 'e.id', 'l.event_id')
    .select([
      'e.id',
      'e.type',
      'e.subject_type',
      'e.subject_id',
      'e.account_ids',
      'e.actor_id',
      'e.payload',
      'e.recorded_at',
      'l.leaf_hash',
    ])
    .where('l.block_height', '=', block.height)
    .orderBy('l.leaf_index')
    .execute();
  const head = await headAt(db, block.height);
  return { block, events: events.map(eventView), leaf_hashes: events.map((e) => e.leaf_hash), ...(head && { head }) };
}
