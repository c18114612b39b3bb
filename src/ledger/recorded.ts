// Proving a module's table against the ledger, for `tally check`: the ledger is the history and a
// table its current state, so every row is what its latest event recorded, and a subject's events
// begin with its one creation. Modules describe their tables (`Recorded`); the SQL over the events
// lives here, with the table it reads.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';

/** Violations reported per rule at most: enough to see the pattern, not a flood. */
const LIMIT = 20;

/** A timestamp column as `toISOString` writes it into an event's payload. */
export const isoText = (column: string) =>
  sql`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A table whose rows are the latest state its events recorded. */
export interface Recorded {
  /** The rule a disagreement breaks, and what one of its rows is called in a message. */
  rule: string;
  noun: string;
  /** The events' subject_type; the table and its key, which is the events' subject_id as text. */
  subject: string;
  table: string;
  key: string;
  /** Row `r` as its events record it; may read its latest event's payload, `l.payload`. */
  state: RawBuilder<unknown>;
  /** The events that create a row (one of them), first of its events and only once, and the rule it keeps. */
  creation?: { rule: string; types: string[] };
}

/**
 * Rows that differ from their latest event (naming the keys that differ), rows with no event, and
 * events whose row is gone. A subject's events are written under its row's lock, so the greatest
 * id is the latest.
 */
export async function agreesWithEvents(db: Db, t: Recorded): Promise<Violation[]> {
  const { rows } = await sql<{ subject: string; event: number | null; gone: boolean; keys: string[] | null }>`
    WITH latest AS (
      SELECT DISTINCT ON (subject_id) subject_id, id, payload FROM events
      WHERE subject_type = ${t.subject} ORDER BY subject_id, id DESC)
    SELECT coalesce(l.subject_id, ${sql.ref(`r.${t.key}`)}::text) AS subject, l.id AS event, s.state IS NULL AS gone,
           (SELECT array_agg(k ORDER BY k)
            FROM (SELECT jsonb_object_keys(s.state) UNION SELECT jsonb_object_keys(l.payload)) keys (k)
            WHERE s.state -> k IS DISTINCT FROM l.payload -> k) AS keys
    FROM latest l FULL JOIN ${sql.table(t.table)} r ON l.subject_id = ${sql.ref(`r.${t.key}`)}::text
    CROSS JOIN LATERAL (SELECT ${t.state} AS state) s
    WHERE s.state IS DISTINCT FROM l.payload
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: t.rule,
    detail:
      r.event === null
        ? `${t.noun} ${r.subject} has no event`
        : r.gone
          ? `${t.noun} ${r.subject} is gone, yet event ${r.event} records it`
          : `${t.noun} ${r.subject} differs from its latest event ${r.event} in ${(r.keys ?? []).join(', ')}`,
  }));
}

/** Subjects whose events do not begin with their one creation event. */
export async function begunOnce(db: Db, t: Recorded): Promise<Violation[]> {
  if (t.creation === undefined) return [];
  const { rule, types } = t.creation;
  const { rows } = await sql<{ subject: string; created: number; first: string }>`
    SELECT subject_id AS subject, count(*) FILTER (WHERE type = ANY(${types}::text[])) AS created,
           (array_agg(type ORDER BY id))[1] AS first
    FROM events WHERE subject_type = ${t.subject} GROUP BY subject_id
    HAVING count(*) FILTER (WHERE type = ANY(${types}::text[])) <> 1 OR NOT (array_agg(type ORDER BY id))[1] = ANY(${types}::text[])
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule,
    detail: `${t.noun} ${r.subject} has ${r.created} ${types.join(' or ')} events, and its first event is ${r.first}`,
  }));
}
