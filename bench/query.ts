// Query latency: POST /api/certificates/query page by page (limit 1000, and the default 100), following next_cursor,
// against the same SELECT run directly. Each page is fetched both ways back to back, the order
// alternating, so both see the same caches and the same background load.
import { sql } from 'kysely';
import type { Db } from '../src/platform/database.ts';
import { expectOk, type BenchServer } from './http.ts';
import { backToBack, fmt, percentile, timed, type ReportRow } from './measure.ts';
import type { BenchWorld } from './world.ts';

/** The largest page the API serves, and the default page size. */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const P99_TARGET_MS = 20;
const P50_RATIO_TARGET = 1.5;

/** The request body's filters, as POST /api/certificates/query takes them. */
interface Filter {
  source_id: number;
  device_id?: number;
  energy_source?: string[];
  certificate_bundle_status?: string[];
  certificate_period_start?: string;
  certificate_period_end?: string;
}

interface Scenario {
  name: string;
  filters: Filter[];
  maxPages: number;
  limit: number;
  /** Every page but the last holds `limit` = 1,000 rows: issue 15's goal for such pages applies. */
  fullPages?: true;
}

/**
 * The registry's SELECT for one page, written out independently: account, filters, after the
 * cursor, production-time order, limit + 1.
 */
function directPage(db: Db, f: Filter, after: { t: Date; id: number } | undefined, limit: number) {
  const where = [sql`account_id = ${f.source_id}`];
  if (after) where.push(sql`(production_starting_interval, id) > (${after.t}, ${after.id})`);
  if (f.device_id !== undefined) where.push(sql`device_id = ${f.device_id}`);
  if (f.energy_source) where.push(sql`energy_source IN (${sql.join(f.energy_source)})`);
  if (f.certificate_bundle_status)
    where.push(sql`certificate_bundle_status IN (${sql.join(f.certificate_bundle_status)})`);
  if (f.certificate_period_start)
    where.push(sql`production_starting_interval >= ${new Date(f.certificate_period_start)}`);
  if (f.certificate_period_end) where.push(sql`production_starting_interval < ${new Date(f.certificate_period_end)}`);
  return sql<{
    id: number;
    production_starting_interval: Date;
  }>`SELECT * FROM bundles WHERE ${sql.join(where, sql` AND `)}
     ORDER BY production_starting_interval, id LIMIT ${limit + 1}`.execute(db);
}

const period = (from: number, days: number) => ({
  certificate_period_start: new Date(from).toISOString(),
  certificate_period_end: new Date(from + days * DAY_MS).toISOString(),
});

/**
 * What a holder asks for: every page of the account, one device's week, a month across the account
 * (first pages), one day of wind, and a status the account holds none of (an empty answer that
 * still has to look at every bundle unless an index says otherwise).
 */
function scenarios(world: BenchWorld, history: { start: number; hours: number }): Scenario[] {
  const account = world.producerAccount;
  // Days spread over the history, leaving room for a month after each.
  const day = (k: number) => history.start + ((k * 37) % Math.max(1, Math.floor(history.hours / 24) - 31)) * DAY_MS;
  const samples = (n: number, make: (k: number) => Filter) => Array.from({ length: n }, (_, k) => make(k));
  return [
    { name: 'all pages', filters: [{ source_id: account }], maxPages: Infinity, limit: MAX_LIMIT, fullPages: true },
    {
      name: 'first 1,000 pages of 100 (default size)',
      filters: [{ source_id: account }],
      maxPages: 1000,
      limit: DEFAULT_LIMIT,
    },
    {
      name: 'device + week',
      filters: samples(50, (k) => ({
        source_id: account,
        device_id: world.devices[(k * 7) % world.devices.length]!,
        ...period(day(k), 7),
      })),
      maxPages: Infinity,
      limit: MAX_LIMIT,
    },
    {
      name: 'month, 10 pages',
      filters: samples(10, (k) => ({ source_id: account, ...period(day(k), 30) })),
      maxPages: 10,
      limit: MAX_LIMIT,
      fullPages: true,
    },
    {
      name: 'wind + day',
      filters: samples(50, (k) => ({ source_id: account, energy_source: ['wind'], ...period(day(k), 1) })),
      maxPages: Infinity,
      limit: MAX_LIMIT,
    },
    {
      name: 'rare status',
      filters: samples(10, () => ({ source_id: account, certificate_bundle_status: ['reserved'] })),
      maxPages: 1,
      limit: MAX_LIMIT,
    },
  ];
}

interface Latencies {
  http: number[];
  direct: number[];
  rows: number;
}

/** Walks the pages of one filter both ways; checks both ways return the same rows. */
async function walk(
  db: Db,
  server: BenchServer,
  token: string,
  filter: Filter,
  maxPages: number,
  limit: number,
  into: Latencies,
): Promise<void> {
  let cursor: string | undefined;
  let after: { t: Date; id: number } | undefined;
  for (let page = 0; page < maxPages; page++) {
    const viaHttp = () =>
      server.post('/api/certificates/query', { ...filter, limit, ...(cursor ? { cursor } : {}) }, token);
    const direct = () => timed(() => directPage(db, filter, after, limit));
    const [h, d] = await backToBack(viaHttp, direct, into.http.length % 2 === 0);
    const body = expectOk(h, 'query');
    const rows = d.value.rows.slice(0, limit);
    if (body.items.length !== rows.length || body.items[0]?.id !== rows[0]?.id)
      throw new Error(`query: the API and the direct SELECT disagree on page ${page} of ${JSON.stringify(filter)}`);
    into.http.push(h.ms);
    into.direct.push(d.ms);
    into.rows += rows.length;
    if (!body.next_cursor) return;
    cursor = body.next_cursor;
    const last = rows[rows.length - 1]!;
    after = { t: last.production_starting_interval, id: last.id };
  }
}

export interface QueryResult {
  name: string;
  /** Whether its pages hold 1,000 rows each (Scenario). */
  fullPages: boolean;
  latencies: Latencies;
}

export async function benchQueries(
  db: Db,
  server: BenchServer,
  token: string,
  world: BenchWorld,
  history: { start: number; hours: number },
  log: (line: string) => void,
): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const s of scenarios(world, history)) {
    const latencies: Latencies = { http: [], direct: [], rows: 0 };
    for (const f of s.filters) await walk(db, server, token, f, s.maxPages, s.limit, latencies);
    log(`  query ${s.name}: ${fmt(latencies.http.length)} pages, ${fmt(latencies.rows)} rows`);
    results.push({ name: s.name, fullPages: s.fullPages ?? false, latencies });
  }
  return results;
}

const ms = (x: number) => `${fmt(x, 1)} ms`;

/**
 * Each scenario's latency against the bare SELECT's. Every page must answer within P99_TARGET_MS at
 * p99; pages of 1,000 rows also within P50_RATIO_TARGET × the SELECT's p50 (issue 15's goal).
 */
export function queryRow(r: QueryResult): ReportRow {
  const { http, direct } = r.latencies;
  const p99 = percentile(http, 99);
  const p50Ratio = percentile(http, 50) / percentile(direct, 50);
  const largest = r.fullPages;
  return {
    benchmark: `query ${r.name} (${fmt(http.length)} pages)`,
    tally: `p50 ${ms(percentile(http, 50))}, p99 ${ms(p99)}`,
    baseline: `p50 ${ms(percentile(direct, 50))}, p99 ${ms(percentile(direct, 99))}`,
    ratio: `${fmt(p50Ratio, 1)} × p50, ${fmt(p99 / percentile(direct, 99), 1)} × p99`,
    target: `${largest ? `≤ ${fmt(P50_RATIO_TARGET, 1)} × p50, ` : ''}p99 < ${P99_TARGET_MS} ms`,
    met: p99 < P99_TARGET_MS && (!largest || p50Ratio <= P50_RATIO_TARGET),
  };
}
