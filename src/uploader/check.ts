// What `tally check` proves of the uploader from its tables and the ledger alone. The ledger is the
// history and the tables its current state: every quote, provider and user's last nonce is what its
// latest event recorded; a quote's and a provider's events begin with their one creation; a quote was
// used (uploaded) once if at all; the nonces accepted from a user only grow. Besides, a quote lives
// 30 minutes from its creation and was used within them, and its total is its files' lengths.
// The CHECKs on uploader_quotes already hold the status ranges (1–499), used_at beside a status of
// 100 or more and a token amount ≥ 0; a quote's size against the limit is not checkable (the limit
// is configuration, and changes).
import { sql } from 'kysely';
import { agreesWithEvents, begunOnce, isoText as iso, type Recorded } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { QUOTE_TTL_MS } from './quotes.ts';

const LIMIT = 20;

const QUOTES: Recorded = {
  rule: 'uploader_quote_is_its_events',
  noun: 'quote',
  subject: 'uploader_quote',
  table: 'uploader_quotes',
  key: 'quote_id',
  creation: { rule: 'uploader_quote_created', types: ['uploader.quote.created'] },
  state: sql`to_jsonb(r) || jsonb_build_object(
    'token_amount', r.token_amount::text, 'created_at', ${iso('r.created_at')},
    'expires_at', ${iso('r.expires_at')}, 'used_at', ${iso('r.used_at')})`,
};

// A plain renewal records no event: an active provider's last registration may be later than recorded.
const PROVIDERS: Recorded = {
  rule: 'uploader_provider_is_its_events',
  noun: 'provider',
  subject: 'uploader_provider',
  table: 'uploader_providers',
  key: 'id',
  creation: { rule: 'uploader_provider_registered', types: ['uploader.provider.registered'] },
  state: sql`to_jsonb(r) || jsonb_build_object(
    'registered_at', ${iso('r.registered_at')},
    'last_registered_at', CASE
      WHEN r.active AND r.last_registered_at > (l.payload ->> 'last_registered_at')::timestamptz
      THEN l.payload -> 'last_registered_at' ELSE to_jsonb(${iso('r.last_registered_at')}) END)`,
};

const NONCES: Recorded = {
  rule: 'uploader_nonce_is_its_events',
  noun: 'user',
  subject: 'uploader_user',
  table: 'uploader_nonces',
  key: 'user_address',
  state: sql`jsonb_build_object('user_address', r.user_address, 'last_nonce', r.last_nonce::text)`,
};

/** A quote lives 30 minutes from its creation and is used within them. */
async function quoteLifetimes(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ quote_id: string; created_at: Date; expires_at: Date; used_at: Date | null }>`
    SELECT quote_id, created_at, expires_at, used_at FROM uploader_quotes
    WHERE expires_at <> created_at + ${QUOTE_TTL_MS} * interval '1 millisecond'
       OR used_at < created_at OR used_at >= expires_at
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'uploader_quote_lifetime',
    detail:
      `quote ${r.quote_id}: created ${r.created_at.toISOString()}, expires ${r.expires_at.toISOString()}` +
      `${r.used_at ? `, used ${r.used_at.toISOString()}` : ''}; it lives 30 minutes and is used within them`,
  }));
}

async function quoteTotals(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ quote_id: string; total_bytes: number; files: string }>`
    SELECT q.quote_id, q.total_bytes, f.bytes::text AS files FROM uploader_quotes q
    CROSS JOIN LATERAL (
      SELECT coalesce(sum((e ->> 'length')::numeric), 0) AS bytes FROM jsonb_array_elements(q.files) e) f
    WHERE f.bytes <> q.total_bytes
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'uploader_quote_bytes',
    detail: `quote ${r.quote_id}: total_bytes ${r.total_bytes} ≠ its files' ${r.files}`,
  }));
}

/** A quote has one upload.started event if it was used, none if not: no quote is uploaded twice. */
async function usedOnce(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ quote_id: string; used: boolean; started: number }>`
    SELECT q.quote_id, q.used_at IS NOT NULL AS used, count(e.id) AS started FROM uploader_quotes q
    LEFT JOIN events e
      ON e.subject_type = 'uploader_quote' AND e.subject_id = q.quote_id AND e.type = 'uploader.upload.started'
    GROUP BY q.quote_id, q.used_at HAVING count(e.id) <> (q.used_at IS NOT NULL)::int
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'uploader_quote_used_once',
    detail: `quote ${r.quote_id} is ${r.used ? 'used' : 'unused'} but has ${r.started} uploader.upload.started events`,
  }));
}

/** Each nonce accepted from a user is larger than the one accepted before it. */
async function noncesGrow(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ user: string; id: number; nonce: string; previous: string }>`
    SELECT subject_id AS user, id, nonce::text, previous::text FROM (
      SELECT subject_id, id, (payload ->> 'last_nonce')::numeric AS nonce,
             lag((payload ->> 'last_nonce')::numeric) OVER (PARTITION BY subject_id ORDER BY id) AS previous
      FROM events WHERE subject_type = 'uploader_user' AND type = 'uploader.nonce.accepted') e
    WHERE nonce <= previous
    ORDER BY 1, 2 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'uploader_nonces_grow',
    detail: `user ${r.user}: event ${r.id} accepted nonce ${r.nonce} after ${r.previous}`,
  }));
}

export async function checkUploader(db: Db): Promise<Violation[]> {
  return [
    ...(await agreesWithEvents(db, QUOTES)),
    ...(await begunOnce(db, QUOTES)),
    ...(await usedOnce(db)),
    ...(await quoteLifetimes(db)),
    ...(await quoteTotals(db)),
    ...(await agreesWithEvents(db, NONCES)),
    ...(await noncesGrow(db)),
    ...(await agreesWithEvents(db, PROVIDERS)),
    ...(await begunOnce(db, PROVIDERS)),
  ];
}
