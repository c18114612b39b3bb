// A page of bundles is read along the account's time index however deep it lies: the statement
// either query function sends is planned as an index scan in production-time order, never as a
// sort of the account's bundles. The JSON page reads every column as text under its own name, so
// an order by a bare column name would sort by that text; its order names the table's columns.
import { type Kysely, type RootOperationNode, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/accounts/index.ts';
import { pageRequest } from '../../src/platform/pagination.ts';
import type { Principal } from '../../src/platform/principal.ts';
import { queryBundles, queryBundlesAsJson } from '../../src/registry/queries.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { principal } from '../helpers/principal.ts';

/** The plans of the SELECTs on bundles that `read` sends, with sorting and scanning whole tables made as dear as they go. */
async function pagePlans(db: Kysely<any>, read: (db: Kysely<any>) => Promise<unknown>): Promise<string[]> {
  const sent: RootOperationNode[] = [];
  await read(
    db.withPlugin({
      transformQuery: ({ node }) => {
        sent.push(node);
        return node;
      },
      transformResult: async ({ result }) => result,
    }),
  );
  return db.connection().execute(async (c) => {
    await sql`SET enable_seqscan = off`.execute(c);
    await sql`SET enable_sort = off`.execute(c);
    const plans: string[] = [];
    for (const node of sent) {
      const query = db.getExecutor().compileQuery(node, { queryId: 'plan' } as never);
      if (!/from "bundles"/i.test(query.sql)) continue;
      const { rows } = await c.executeQuery<{ 'QUERY PLAN': string }>({
        ...query,
        sql: `EXPLAIN ${query.sql}`,
      });
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    await sql`RESET enable_seqscan`.execute(c);
    await sql`RESET enable_sort`.execute(c);
    return plans;
  });
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

describe('a page of bundles', () => {
  let t: TestDatabase;
  let issuer: Principal;
  let account: number;
  beforeAll(async () => {
    t = await freshDatabase();
    issuer = await principal(t.database.kysely, 'issuer', 'issuer');
    account = (await createAccount(t.database.kysely, issuer, { account_name: 'A' })).id;
  });
  afterAll(async () => {
    await t.drop();
  });

  const cursor = 'eyJ0IjoxNzQ4NzcyMDAwMDAwLCJpZCI6MTB9'; // {"t":1748772000000,"id":10}
  // The JSON page's statement is compiled by the same builder whether it is sent as a query or by COPY.
  type Read = (db: Kysely<any>, ...rest: Tail<Parameters<typeof queryBundles>>) => Promise<unknown>;
  const reads: Array<[string, Read]> = [
    ['as views', queryBundles],
    ['as JSON', (db, ...rest) => queryBundlesAsJson({ ...t.database, kysely: db }, ...rest)],
  ];
  for (const [name, read] of reads)
    it(`${name} is read along the account's time index, first page and deeper`, async () => {
      for (const page of [pageRequest({ limit: 1000 }, 'body'), pageRequest({ limit: 1000, cursor }, 'body')]) {
        const plans = await pagePlans(t.database.kysely, (db) => read(db, issuer, { source_id: account }, page));
        expect(plans).toHaveLength(1);
        expect(plans[0]).toContain('Index Scan using bundles_account_time on bundles');
        expect(plans[0]).not.toContain('Sort');
      }
    });
});
