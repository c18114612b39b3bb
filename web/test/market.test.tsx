// The forecasting market page's logic: a forecast shaped for the chart (median in the q10–q90
// band) and put in words, the sessions that forecast a resource, the states in a participant's
// words, amounts in base units; and, with the API played by a stub, the bids table's payment
// states, paying a bid (a refusal shown in the API's words) and a list paged with "Load more".
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { baseUnits, power } from '../src/format';
import { BidsTable } from '../src/market/bids-table';
import { forecastSessions, forecastSummary, forecastView } from '../src/market/forecast-shape';
import { SessionsTable } from '../src/market/sessions-table';
import {
  PAYOUT_STATES,
  paymentLabel,
  paymentState,
  resourceKind,
  SESSION_STATES,
  sessionSince,
  TRANSACTION_TYPES,
} from '../src/market/states';
import type { Bid, Forecast, Session } from '../src/market/types';
import { renderInApp } from './render';
import { ejectStub, json, problem, stubApi } from './stub-api';

const RESOURCE = '3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b';
const BID = '0a1b2c3d-0000-4000-8000-000000000001';

const forecast = (hour: number, q10: number, q50: number, q90: number): Forecast => ({
  bid_id: BID,
  session_id: 3,
  resource_id: RESOURCE,
  datetime: new Date(Date.UTC(2026, 11, 1, hour)).toISOString(),
  q10,
  q50,
  q90,
});

const bid = (id: string, over: Partial<Bid>): Bid => ({
  id,
  session_id: 1,
  user_id: 2,
  resource_id: RESOURCE,
  bid_price: '10000000',
  max_payment: '1000000000',
  gain_func: 'rmse',
  tx_hash: null,
  payment_refusal: null,
  confirmed: false,
  has_forecasts: false,
  registered_at: '2026-12-01T12:00:00.000Z',
  ...over,
});

const session = (id: number, status: Session['status']): Session => ({
  id,
  session_number: id,
  session_date: '2026-12-01',
  status,
  market_price: '5250000',
  b_min: '500000',
  b_max: '10000000',
  n_price_steps: 20,
  delta: 0.05,
  weights: [],
  staged_at: '2026-12-01T10:00:00.000Z',
  open_at: status === 'staged' ? null : '2026-12-01T11:00:00.000Z',
  close_at: status === 'finished' ? '2026-12-01T12:00:00.000Z' : null,
  launch_at: status === 'finished' ? '2026-12-01T12:00:00.000Z' : null,
  finish_at: status === 'finished' ? '2026-12-01T12:01:00.000Z' : null,
});

describe('a forecast on the chart', () => {
  // Sent out of order: the chart draws them in time order.
  const view = forecastView([forecast(13, 400, 812.3456789, 1200), forecast(12, 100, 500, 900)]);

  it('draws each hour at its start, with the median between the band’s edges', () => {
    const start = Date.UTC(2026, 11, 1, 12) / 1000;
    expect(view).toEqual({ times: [start, start + 3600], q10: [100, 400], q50: [500, 812.3456789], q90: [900, 1200] });
  });

  it('says in words what it shows: the resource, the session, how many hours, when and how much', () => {
    expect(forecastSummary('wind-farm-1', 3, view)).toBe(
      'wind-farm-1, session 3: 2 forecast hours from 2026-12-01 12:00 UTC to 2026-12-01 13:00 UTC. ' +
        'The median (q50) runs from 500 W to 812.346 W; the band from q10 to q90 is shaded.',
    );
    expect(forecastSummary('pv', 4, forecastView([forecast(0, 1000, 2000, 3000)]))).toBe(
      'pv, session 4: 1 forecast hour at 2026-12-01 00:00 UTC. ' +
        'The median (q50) runs from 2 kW to 2 kW; the band from q10 to q90 is shaded.',
    );
    expect(forecastSummary('pv', 5, forecastView([]))).toBe('No forecast of pv in session 5.');
  });

  it('offers the sessions whose runs forecast the resource, newest first', () => {
    const bids = [
      { session_id: 2, has_forecasts: true },
      { session_id: 7, has_forecasts: false },
      { session_id: 5, has_forecasts: true },
      { session_id: 1, has_forecasts: true },
    ];
    expect(forecastSessions(bids)).toEqual([5, 2, 1]);
    expect(forecastSessions([])).toEqual([]);
  });
});

describe('the market in words', () => {
  it('names every session state, and when the session entered it', () => {
    expect(Object.values(SESSION_STATES).map((s) => s.label)).toEqual([
      'Staged',
      'Open',
      'Closed',
      'Running',
      'Finished',
    ]);
    expect(sessionSince(session(1, 'staged'))).toBe('2026-12-01T10:00:00.000Z');
    expect(sessionSince(session(1, 'open'))).toBe('2026-12-01T11:00:00.000Z');
    expect(sessionSince(session(1, 'finished'))).toBe('2026-12-01T12:01:00.000Z');
  });

  it('says where a bid’s payment stands, a refusal in its reason’s words', () => {
    const cases: Array<[Partial<Bid>, string, string]> = [
      [{ confirmed: true, tx_hash: '0xab' }, 'confirmed', 'Confirmed'],
      [{}, 'unpaid', 'Not paid'],
      [{ tx_hash: '0xab' }, 'checking', 'Checking'],
      [{ tx_hash: '0xab', payment_refusal: 'pending' }, 'waiting', 'Waiting for the chain'],
      [{ tx_hash: '0xab', payment_refusal: 'too_small' }, 'refused', 'Refused'],
    ];
    for (const [over, state, label] of cases) {
      const b = bid(BID, over);
      expect([paymentState(b), paymentLabel(b).label]).toEqual([state, label]);
    }
    expect(paymentLabel(bid(BID, { tx_hash: '0xab', payment_refusal: 'too_small' })).detail).toBe(
      'Payment refused: the transfer is less than the maximum payment',
    );
    expect(paymentLabel(bid(BID, { tx_hash: '0xab', payment_refusal: 'odd_reason' })).detail).toBe(
      'Payment refused: odd_reason',
    );
  });

  it('names movements, payouts and resources', () => {
    expect(TRANSACTION_TYPES).toEqual({
      transfer_in: 'Paid in',
      payment: 'Paid for a forecast',
      revenue: 'Earned from data',
      transfer_out: 'Paid out',
    });
    expect([PAYOUT_STATES.sent.label, PAYOUT_STATES.solid.label]).toEqual(['Sent', 'Confirmed']);
    expect(
      [
        { type: 'measurements', to_forecast: true, metering_point_id: null },
        { type: 'measurements', to_forecast: false, metering_point_id: '571313174000000001' },
        { type: 'features', to_forecast: false, metering_point_id: null },
      ].map((r) => resourceKind(r as Parameters<typeof resourceKind>[0])),
    ).toEqual([
      'Measurements, forecast for you; uploaded series',
      'Measurements, shared only; readings of metering point 571313174000000001',
      'Features others learn from; uploaded series',
    ]);
  });

  it('writes amounts exactly in base units, past 2^53 too, and rounds power', () => {
    expect([baseUnits('1000000000'), baseUnits('-52500'), baseUnits('0')]).toEqual(['1,000,000,000', '-52,500', '0']);
    expect(baseUnits('123456789012345678901')).toBe('123,456,789,012,345,678,901');
    expect([power(812.3456789), power(999), power(1500)]).toEqual(['812.346 W', '999 W', '1.5 kW']);
  });
});

describe('the market’s tables, against a stubbed API', () => {
  afterEach(ejectStub);

  const UNPAID = '0a1b2c3d-0000-4000-8000-000000000002';
  const OLD = '0a1b2c3d-0000-4000-8000-000000000003';
  const REFUSED = '0a1b2c3d-0000-4000-8000-000000000004';
  const bids = [
    bid(BID, { session_id: 1, confirmed: true, has_forecasts: true }),
    bid(UNPAID, { session_id: 2 }),
    // Unpaid, but its session is no longer open: nothing to pay.
    bid(OLD, { session_id: 1 }),
    bid(REFUSED, { session_id: 2, tx_hash: `0x${'a'.repeat(64)}`, payment_refusal: 'wrong_recipient' }),
  ];

  it('shows each bid’s payment state, pays an unpaid bid of the open session, and shows a refusal', async () => {
    const detail = 'your free balance 0 does not cover max_payment 1000000000';
    const seen = stubApi((path, query) => {
      if (path === '/api/market/bids') return json({ items: bids, next_cursor: null });
      if (path === '/api/market/sessions' && query.get('status') === 'open')
        return json({ items: [session(2, 'open')], next_cursor: null });
      if (path === `/api/market/resources/${RESOURCE}`)
        return json({ id: RESOURCE, name: 'wind-farm-1', user_id: 2, type: 'measurements', to_forecast: true });
      if (path === '/api/market/market-wallet') return json({ code: 'market_wallet_not_found' }, 404);
      if (path === `/api/market/bids/${UNPAID}/payment`) return problem(409, 'payment_refused', detail);
      return json({ title: 'not stubbed' }, 500);
    });
    renderInApp(<BidsTable />);
    const row = async (id: string) => (await screen.findByText(id)).closest('tr')!;
    const state = async (id: string) => within(await row(id)).getByText(/^(Confirmed|Not paid|Refused|Checking)$/);
    expect((await state(BID)).textContent).toBe('Confirmed');
    expect((await state(UNPAID)).textContent).toBe('Not paid');
    expect((await state(OLD)).textContent).toBe('Not paid');
    expect((await state(REFUSED)).textContent).toBe('Refused');
    expect(within(await row(REFUSED)).getByText(/^Payment refused/).textContent).toBe(
      'Payment refused: the transfer is not to the market wallet',
    );
    // The resource by name, and the confirmed bid's forecasts one link away.
    await waitFor(() => expect(within(screen.getByText(BID).closest('tr')!).getByText('wind-farm-1')).toBeTruthy());
    expect(
      within(await row(BID))
        .getByRole('link', { name: 'Forecast of session 1' })
        .getAttribute('href'),
    ).toBe(`/market/resources/${RESOURCE}?session=1`);
    // Only the unpaid bid of the open session offers payment.
    expect(screen.getAllByRole('button', { name: /^Pay bid/ }).map((b) => b.getAttribute('aria-label'))).toEqual([
      `Pay bid ${UNPAID}`,
    ]);

    await userEvent.click(screen.getByRole('button', { name: `Pay bid ${UNPAID}` }));
    const dialog = await screen.findByRole('dialog', { name: 'Pay for the bid' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Pay' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe(`Refused${detail}`);
    const payment = seen.find((r) => r.url.endsWith('/payment'))!;
    expect([payment.method, await payment.json()]).toEqual(['POST', {}]);
  });

  it('pages the sessions with “Load more”, sending the cursor the API gave', async () => {
    const seen = stubApi((_path, query) =>
      query.get('cursor') === 'next'
        ? json({ items: [session(1, 'finished')], next_cursor: null })
        : json({ items: [session(3, 'staged'), session(2, 'open')], next_cursor: 'next' }),
    );
    renderInApp(<SessionsTable />);
    const states = () => screen.getAllByText(/^(Staged|Open|Finished)$/).map((e) => e.textContent);
    await screen.findByText('Staged');
    expect(states()).toEqual(['Staged', 'Open']);
    await userEvent.click(screen.getByRole('button', { name: 'Load more sessions' }));
    await screen.findByText('Finished');
    expect(states()).toEqual(['Staged', 'Open', 'Finished']);
    expect(screen.queryByRole('button', { name: 'Load more sessions' })).toBeNull();
    expect(seen.map((r) => new URL(r.url).search)).toEqual(['?limit=25', '?limit=25&cursor=next']);
  });
});
