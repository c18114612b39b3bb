// Helpers for community tests that drive one server as one manager: metering points, readings,
// communities, members, clearing and the cleared intervals.
import { expect } from 'vitest';
import type { Client } from './server.ts';
import { expectStatus } from './world.ts';

export type User = { id: number; token: string };
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const iso = (t: number) => new Date(t).toISOString();
/** Peer price of every mid-market community here: (0.20 + 0.04) / 2. */
export const TERMS = {
  mechanism: 'mmr',
  grid_price: 0.2,
  feed_in_price: 0.04,
  currency: 'EUR',
  move_certificates: false,
};

/** Helpers bound to one server and one manager. */
export function api(s: Client, manager: User, account: number) {
  return {
    async point(id: string, type: 'production' | 'consumption') {
      await expectStatus(
        s.request('POST', '/api/metering-points', { token: manager.token, body: { id, type, account_id: account } }),
        201,
      );
    },
    /** Interval readings as [start, minutes, Wh]. */
    async readings(id: string, rows: Array<[number, number, number]>) {
      const readings = rows.map(([start, minutes, wh]) => ({
        interval_start_datetime: iso(start),
        interval_end_datetime: iso(start + minutes * MIN),
        interval_usage: wh,
      }));
      await expectStatus(
        s.request('POST', `/api/metering-points/${id}/readings`, { token: manager.token, body: { readings } }),
        200,
      );
    },
    /** Register readings as [read_at, import Wh, export Wh]. */
    async registers(id: string, rows: Array<[number, number, number]>) {
      const readings = rows.map(([at, importWh, exportWh]) => ({
        read_at: iso(at),
        import_wh: importWh,
        export_wh: exportWh,
      }));
      expect(
        await expectStatus(
          s.request('POST', `/api/metering-points/${id}/registers`, { token: manager.token, body: { readings } }),
          200,
        ),
      ).toEqual({ inserted: rows.length, unchanged: 0 });
    },
    async community(body: Record<string, unknown>): Promise<number> {
      return (
        await expectStatus(
          s.request('POST', '/api/communities', { token: manager.token, body: { ...TERMS, ...body } }),
          201,
        )
      ).id;
    },
    async member(communityId: number, body: Record<string, unknown>): Promise<any> {
      return expectStatus(
        s.request('POST', `/api/communities/${communityId}/members`, { token: manager.token, body }),
        201,
      );
    },
    async clear(communityId: number, from: number, to: number): Promise<number> {
      return (
        await expectStatus(
          s.request('POST', `/api/communities/${communityId}/clear`, {
            token: manager.token,
            body: { from: iso(from), to: iso(to) },
          }),
          200,
        )
      ).intervals_cleared;
    },
    async intervals(
      communityId: number,
      from: number,
      to: number,
      token: string | undefined = manager.token,
    ): Promise<any[]> {
      return (
        await expectStatus(
          s.request('GET', `/api/communities/${communityId}/intervals?from=${iso(from)}&to=${iso(to)}&limit=96`, {
            token,
          }),
          200,
        )
      ).items;
    },
  };
}

/** An interval's matches as [buyer, seller, Wh], in the order stored. */
export const trades = (interval: any) => interval.matches.map((m: any) => [m.buyer, m.seller, m.wh]);
