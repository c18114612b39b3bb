// The hourly schedule (TALLY_MARKET_SCHEDULE=hourly, the default): the market job stages the first
// session and opens it; at the next hour it closes the session opened before it, runs it (with no
// confirmed bid it finishes at once), stages the next and opens it. One session is open at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketRound, openMarket, type Market } from '../../src/market/index.ts';
import { TEST_START } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HOUR_MS = 3_600_000;

describe('the hourly schedule', () => {
  let s: TestServer;
  let market: Market;
  let admin: { token: string };

  beforeAll(async () => {
    // The test moves the clock past an hour: the admin's token must outlive that.
    s = await startServer({ TALLY_ACCESS_TOKEN_TTL: '86400' });
    market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    admin = await s.user('admin');
  });
  afterAll(async () => s?.close());

  const sessions = async () =>
    (await s.request('GET', '/api/market/sessions', { token: admin.token })).body.items.map(
      (x: { id: number; status: string; open_at: string | null }) => [x.id, x.status, x.open_at],
    );

  it('stages and opens the first session, then at each hour closes, runs and opens the next', async () => {
    expect(s.config.market.schedule).toBe('hourly');
    await marketRound(market, s.clock.now());
    expect(await sessions()).toEqual([[1, 'open', TEST_START.toISOString()]]);
    // Within the same hour nothing moves.
    s.clock.advance(59 * 60_000);
    await marketRound(market, s.clock.now());
    expect((await sessions()).map((x: unknown[]) => x[1])).toEqual(['open']);
    // Past the hour: gate closure, a run with no bid, and the next session opens.
    s.clock.advance(2 * 60_000);
    const next = s.clock.now().toISOString();
    await marketRound(market, s.clock.now());
    expect(await sessions()).toEqual([
      [2, 'open', next],
      [1, 'finished', TEST_START.toISOString()],
    ]);
    const first = (await s.request('GET', '/api/market/sessions/1', { token: admin.token })).body;
    expect([first.close_at, first.launch_at, first.finish_at]).toEqual([next, next, next]);
    expect(new Date(next).getTime() - TEST_START.getTime()).toBe(HOUR_MS + 60_000);
  });
});
