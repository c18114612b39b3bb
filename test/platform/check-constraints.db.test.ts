// Every closed list and pattern is declared once in code, and the database holds a CHECK for it.
// This test reads each CHECK back from the migrated database (pg_constraint) and asserts that it
// allows exactly the values of the constant the code uses, so neither side can change alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { POINT_ID_PATTERN } from '../../src/platform/http/schemas.ts';
import { ROLES } from '../../src/identity/tables.ts';
import { COUNTRY_PATTERN, DEVICE_TYPES, ENERGY_SOURCES, LIVE_STATUSES, STATUSES } from '../../src/registry/tables.ts';
import { POINT_TYPES, QUALITIES, READING_MINUTES } from '../../src/metering/tables.ts';
import { MECHANISMS } from '../../src/community/clearing.ts';
import { CURRENCY_PATTERN, INTERVAL_MINUTES, MATCH_STATES } from '../../src/community/tables.ts';

/** A CHECK over `columns` of `table` that allows exactly `values` (an IN list), or matches `pattern`. */
type Rule = { table: string; columns: string[] } & ({ values: readonly (string | number)[] } | { pattern: string });

const RULES: Rule[] = [
  { table: 'users', columns: ['role'], values: ROLES },
  { table: 'devices', columns: ['device_type'], values: DEVICE_TYPES },
  { table: 'devices', columns: ['energy_source'], values: ENERGY_SOURCES },
  { table: 'devices', columns: ['country'], pattern: COUNTRY_PATTERN },
  { table: 'bundles', columns: ['certificate_bundle_status'], values: STATUSES },
  { table: 'bundles', columns: ['energy_source'], values: ENERGY_SOURCES },
  { table: 'imported_issuances', columns: ['energy_source'], values: ENERGY_SOURCES },
  { table: 'metering_points', columns: ['id'], pattern: POINT_ID_PATTERN },
  { table: 'metering_points', columns: ['type'], values: POINT_TYPES },
  { table: 'readings', columns: ['quality'], values: QUALITIES },
  // interval_end − interval_start, in minutes.
  { table: 'readings', columns: ['interval_end', 'interval_start'], values: READING_MINUTES },
  { table: 'communities', columns: ['interval_minutes'], values: INTERVAL_MINUTES },
  { table: 'communities', columns: ['mechanism'], values: MECHANISMS },
  { table: 'communities', columns: ['currency'], pattern: CURRENCY_PATTERN },
  { table: 'community_intervals', columns: ['mechanism'], values: MECHANISMS },
  { table: 'community_match_states', columns: ['state'], values: MATCH_STATES },
];

/**
 * One element of a list as PostgreSQL prints it: `'text'::text`, a bare integer, or an interval
 * (`'00:15:00'::interval`), which is given in minutes.
 */
function element(item: string): string | number {
  const literal = /^'(.*)'::(\w+)$/.exec(item);
  if (!literal) return Number(item);
  const [, text = '', type] = literal;
  if (type !== 'interval') return text;
  const [h, m, s] = text.split(':').map(Number) as [number, number, number];
  return h * 60 + m + s / 60;
}

/** The values of `column IN (…)`, which PostgreSQL prints as `column = ANY (ARRAY[…])`. */
function listed(definition: string): Array<string | number> {
  const list = /= ANY \(ARRAY\[(.*)\]\)/.exec(definition)?.[1];
  if (list === undefined) throw new Error(`not a list: ${definition}`);
  return list.split(', ').map(element);
}

/** The regular expression of `column ~ '…'`. */
function pattern(definition: string): string {
  const text = / ~ '(.*)'::text/.exec(definition)?.[1];
  if (text === undefined) throw new Error(`not a pattern: ${definition}`);
  return text.replaceAll("''", "'");
}

const sorted = (values: readonly (string | number)[]) => [...values].map(String).sort();

describe('the constants and the CHECK constraints', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  /** The definitions of the CHECKs on `table` over exactly `columns`. */
  async function checks(table: string, columns: string[]): Promise<string[]> {
    const { rows } = await sql<{ definition: string }>`
      SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
      WHERE c.conrelid = ${table}::regclass AND c.contype = 'c'
        AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a
             WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) = ${[...columns].sort()}::text[]`.execute(
      t.database.kysely,
    );
    return rows.map((r) => r.definition);
  }

  it.each(RULES)('$table ($columns) allows exactly what the code declares', async (rule) => {
    const found = await checks(rule.table, rule.columns);
    expect(found).toHaveLength(1);
    const [definition] = found as [string];
    if ('values' in rule) expect(sorted(listed(definition))).toEqual(sorted(rule.values));
    else expect(pattern(definition)).toBe(rule.pattern);
  });

  it('the trigger that keeps live bundles out of closed accounts knows the live statuses', async () => {
    const { rows } = await sql<{ source: string }>`
      SELECT prosrc AS source FROM pg_proc WHERE proname = 'bundles_into_open_account'`.execute(t.database.kysely);
    expect(rows).toHaveLength(1);
    const list = /certificate_bundle_status IN \(([^)]*)\)/.exec(rows[0]?.source ?? '')?.[1];
    expect(sorted((list ?? '').split(', ').map((s) => s.replaceAll("'", '')))).toEqual(sorted(LIVE_STATUSES));
  });
});
