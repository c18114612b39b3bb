// The certificates page's parts: the request built from a selection and the words of its
// confirmation, the selection's rules, the query a filter makes, the virtualised table (only the
// rows in view mounted, keys moving between rows), and the confirmation dialog sending exactly
// what it said and showing a refusal in the API's words.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActionModal } from '../src/certificates/action-modal';
import { type ActionFields, NO_FIELDS, prepare } from '../src/certificates/actions';
import { confirmation, doneText } from '../src/certificates/confirmation';
import { NO_FILTER, queryBody } from '../src/certificates/filter';
import { coverage, setRange } from '../src/certificates/selection';
import { NARROW } from '../src/certificates/columns';
import { BundleTable, rowAfterKey } from '../src/certificates/table';
import type { ActionResult, Bundle } from '../src/certificates/types';
import { idList, utcInterval } from '../src/format';
import { renderInApp } from './render';
import { ejectStub, problem, stubApi } from './stub-api';

/** A bundle of `wh` certificates of device 1 from id `start`, produced in hour `hour` of 2025-06-01. */
function bundle(id: number, wh = 1_000_000, start = 1, hour = 0): Bundle {
  const at = (h: number) => new Date(Date.UTC(2025, 5, 1, h)).toISOString();
  return {
    id,
    issuance_id: id,
    device_id: 1,
    account_id: 1,
    certificate_bundle_id_range_start: start,
    certificate_bundle_id_range_end: start + wh - 1,
    bundle_quantity: wh,
    certificate_bundle_status: 'active',
    energy_source: 'solar_pv',
    production_starting_interval: at(hour),
    production_ending_interval: at(hour + 1),
    issuance_datestamp: at(30),
    expiry_datestamp: at(9000),
    split_from_bundle_id: null,
    beneficiary: null,
    cancellation_purpose: null,
    cancelled_at: null,
    cancellation_statement_id: null,
    claim_consumer: null,
    claim_metering_point_id: null,
    claim_period_start: null,
    claim_period_end: null,
    claimed_at: null,
    charged_storage_device_id: null,
    origin_device_id: null,
    sdr_id: null,
    discharging_starting_interval: null,
    discharging_ending_interval: null,
    storage_efficiency_factor: null,
    imported_issuance_id: null,
    holder_reference: null,
  };
}
const holder = { id: 1, name: 'Producer' };
const fields = (change: Partial<ActionFields>): ActionFields => ({ ...NO_FIELDS, ...change });

/** The words of a confirmation, or what is missing before there are any. */
function words(action: Parameters<typeof prepare>[0], bundles: Bundle[], change: Partial<ActionFields>) {
  const prepared = prepare(action, holder.id, bundles, fields(change));
  return prepared.ok ? confirmation(prepared.request, bundles, holder) : prepared.missing;
}

describe('an action on a selection', () => {
  it('sends part of a single bundle as a quantity, and says which certificate ids go and which stay', () => {
    const b = bundle(7, 1_000_000, 1_000_001);
    expect(prepare('transfer', 1, [b], fields({ targetId: 2, wh: 400_000 }))).toEqual({
      ok: true,
      request: {
        action: 'transfer',
        body: { source_id: 1, granular_certificate_bundle_ids: [7], certificate_quantity: 400_000, target_id: 2 },
      },
    });
    expect(words('transfer', [b], { targetId: 2, wh: 400_000 })).toEqual([
      'Transfer 400,000 Wh of bundle 7 (certificates 1000001–1400000, split off as a new bundle) ' +
        'from account 1 (Producer) to account 2.',
      'Bundle 7 keeps the other 600,000 Wh (certificates 1400001–2000000) in account 1, unchanged.',
      'Account 2 must have whitelisted account 1, or the registry refuses the transfer.',
    ]);
  });

  it('sends all of a bundle without a quantity, so nothing is split, and refuses to word more than it holds', () => {
    const b = bundle(7, 500);
    const whole = prepare('lock', 1, [b], fields({ wh: 500 }));
    expect(whole.ok && whole.request.body).toEqual({ source_id: 1, granular_certificate_bundle_ids: [7] });
    expect(words('lock', [b], { wh: 500 })).toEqual([
      'Lock bundle 7 (500 Wh, certificates 1–500) in account 1 (Producer).',
      'Locked certificates take no action until they are unlocked.',
    ]);
    expect(words('lock', [b], { wh: 501 })).toBe('Bundle 7 holds 500 Wh: enter at most that.');
  });

  it('words several bundles by their ids and total, whatever order they were selected in', () => {
    const bundles = [bundle(9, 1_000), bundle(3, 2_000), bundle(4, 3_000), bundle(5, 4_000)];
    expect(words('reserve', bundles, {})).toEqual([
      'Reserve 10,000 Wh in 4 bundles (3–5, 9) in account 1 (Producer).',
      'Reserved certificates can still be cancelled, not transferred, until they are unreserved.',
    ]);
    // The quantity field is for a single bundle: with several it is not sent.
    const prepared = prepare('unreserve', 1, bundles, fields({ wh: 10 }));
    expect(prepared.ok && prepared.request.body.certificate_quantity).toBeUndefined();
  });

  it('names the beneficiary of a cancel, and the consumer, point and period of a claim', () => {
    const b = bundle(7, 1_000);
    expect(words('cancel', [b], { beneficiary: '  ' })).toBe('Enter the beneficiary the energy is retired for.');
    expect(words('cancel', [b], { beneficiary: ' Acme A/S ', purpose: 'Scope 2' })[0]).toBe(
      'Cancel bundle 7 (1,000 Wh, certificates 1–1000) in account 1 (Producer) for the beneficiary “Acme A/S”, ' +
        'purpose “Scope 2”.',
    );
    expect(words('claim', [b], {})).toBe('Enter the consumer, the consumption metering point, or both.');
    expect(words('claim', [b], { consumer: 'Acme', periodStart: '2025-06-01T00:00' })).toBe(
      'Enter both ends of the consumption period, or neither.',
    );
    const claim = prepare(
      'claim',
      1,
      [b],
      fields({
        consumer: 'Acme',
        meteringPointId: '571313174000000001',
        periodStart: '2025-06-01T00:00',
        periodEnd: '2025-07-01T00:00',
      }),
    );
    expect(claim.ok && claim.request.body).toEqual({
      source_id: 1,
      granular_certificate_bundle_ids: [7],
      consumer: 'Acme',
      metering_point_id: '571313174000000001',
      period_start: '2025-06-01T00:00:00.000Z',
      period_end: '2025-07-01T00:00:00.000Z',
    });
    expect(claim.ok && confirmation(claim.request, [b], holder)[0]).toBe(
      'Claim bundle 7 (1,000 Wh, certificates 1–1000) in account 1 (Producer) for the consumer “Acme” at ' +
        'consumption metering point 571313174000000001, consumption from 2025-06-01 00:00 UTC to 2025-07-01 00:00 UTC.',
    );
    expect(words('transfer', [b], {})).toBe('Enter the account to transfer to.');
    expect(prepare('transfer', 1, [], fields({ targetId: 2 }))).toEqual({
      ok: false,
      missing: 'Select bundles first.',
    });
  });

  it("says what the API answered it did: the Wh, the bundles, the split's remainder, the event", () => {
    const result: ActionResult = {
      action: 'transfer',
      action_id: 12,
      source_id: 1,
      target_id: 2,
      certificate_quantity: 400_000,
      bundles: [{ ...bundle(8, 400_000), account_id: 2, split_from_bundle_id: 7 }],
      remainders: [bundle(7, 600_000, 400_001)],
      statement_id: null,
    };
    expect(doneText('transfer', result)).toBe(
      'Transferred 400,000 Wh (bundle 8) to account 2. Bundle 7 keeps 600,000 Wh. Ledger event 12.',
    );
  });
});

describe('the selection, the filter and the formats they use', () => {
  it('selects a range either way, unselects it again, and counts the listed rows selected', () => {
    const rows = [1, 2, 3, 4, 5].map((id) => bundle(id));
    const three = setRange(new Map(), rows, 3, 1, true);
    expect([...three.keys()]).toEqual([2, 3, 4]);
    expect(coverage(three, rows)).toBe('some');
    expect(coverage(setRange(three, rows, 0, 4, true), rows)).toBe('all');
    expect(coverage(setRange(three, rows, 1, 3, false), rows)).toBe('none');
  });

  it('queries only the filters that are set, times read as UTC', () => {
    expect(queryBody(NO_FILTER, 4)).toEqual({ source_id: 4 });
    expect(
      queryBody(
        {
          statuses: ['active', 'reserved'],
          sources: ['wind'],
          deviceId: 9,
          producedFrom: '2025-06-01T00:00',
          producedBefore: 'not a time',
        },
        4,
      ),
    ).toEqual({
      source_id: 4,
      certificate_bundle_status: ['active', 'reserved'],
      energy_source: ['wind'],
      device_id: 9,
      certificate_period_start: '2025-06-01T00:00:00.000Z',
    });
  });

  it('writes ids as ranges and intervals in UTC', () => {
    expect(idList([9, 1, 2, 3, 5, 6])).toBe('1–3, 5, 6, 9');
    expect(utcInterval('2025-06-01T23:00:00.000Z', '2025-06-02T00:00:00.000Z')).toBe(
      '2025-06-01 23:00–2025-06-02 00:00 UTC',
    );
    expect(utcInterval('2025-06-01T10:00:00.000Z', '2025-06-01T11:00:00.000Z')).toBe('2025-06-01 10:00–11:00 UTC');
  });
});

describe('the bundle table', () => {
  // happy-dom lays nothing out (and matches no media query: the narrow layout): every element reports the
  // size of the table's scroll area, as a browser would for it.
  const real = Object.getOwnPropertyDescriptors(HTMLElement.prototype);
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 480 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 960 });
  });
  afterAll(() => {
    for (const name of ['clientHeight', 'clientWidth'] as const)
      Object.defineProperty(HTMLElement.prototype, name, real[name] ?? { configurable: true, value: undefined });
  });
  const many = Array.from({ length: 10_000 }, (_, i) => bundle(i + 1, 1_000, i * 1_000 + 1, i));

  it('mounts only the rows in view of ten thousand, and asks for more only near the end', async () => {
    const loadMore = vi.fn();
    renderInApp(
      <BundleTable rows={many} selected={new Map()} toggle={() => {}} toggleAll={() => {}} loadMore={loadMore} />,
    );
    const boxes = screen.getAllByRole('checkbox', { name: /^Select bundle/ });
    expect(boxes.length).toBeGreaterThan(5);
    expect(boxes.length).toBeLessThan(40);
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('10001');
    expect(loadMore).not.toHaveBeenCalled();

    // Half way down: the rows there are mounted instead, still a bounded number, and no page asked for.
    const scroller = screen.getByRole('table').parentElement!;
    scroller.scrollTop = 5_000 * NARROW.rowHeight;
    fireEvent.scroll(scroller);
    await screen.findByRole('checkbox', { name: 'Select bundle 5000' });
    expect(screen.queryByRole('checkbox', { name: 'Select bundle 1' })).toBeNull();
    expect(screen.getAllByRole('checkbox', { name: /^Select bundle/ }).length).toBeLessThan(40);
    expect(loadMore).not.toHaveBeenCalled();
    // At the end, the next page.
    scroller.scrollTop = 10_000 * NARROW.rowHeight;
    fireEvent.scroll(scroller);
    await screen.findByRole('checkbox', { name: 'Select bundle 10000' });
    expect(loadMore).toHaveBeenCalled();
  });

  it('toggles a row with its checkbox, extends with Shift, and moves between rows with the arrow keys', async () => {
    const toggle = vi.fn();
    const toggleAll = vi.fn();
    renderInApp(<BundleTable rows={many} selected={new Map([[2, many[1]!]])} toggle={toggle} toggleAll={toggleAll} />);
    const user = userEvent.setup();
    const first = screen.getByRole('checkbox', { name: 'Select bundle 1' });
    await user.click(first);
    expect(toggle).toHaveBeenLastCalledWith(0, false);
    await user.keyboard('{Shift>}');
    await user.click(screen.getByRole('checkbox', { name: 'Select bundle 4' }));
    await user.keyboard('{/Shift}');
    expect(toggle).toHaveBeenLastCalledWith(3, true);
    expect((screen.getByRole('checkbox', { name: 'Select bundle 2' }) as HTMLInputElement).checked).toBe(true);
    const all = screen.getByRole('checkbox', { name: 'Select all 10000 listed bundles' }) as HTMLInputElement;
    expect(all.indeterminate).toBe(true);
    await user.click(all);
    expect(toggleAll).toHaveBeenCalledOnce();

    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('checkbox', { name: 'Select bundle 2' })));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    await waitFor(() => expect(document.activeElement).toBe(first));
    expect([rowAfterKey('End', 5, 100), rowAfterKey('PageUp', 5, 100), rowAfterKey('a', 5, 100)]).toEqual([
      99,
      0,
      undefined,
    ]);
  });
});

describe('the confirmation dialog', () => {
  afterEach(ejectStub);

  it('sends what it said with an Idempotency-Key, and shows a refusal in the API\u2019s words without closing', async () => {
    const detail = 'account 3 does not accept transfers from account 1; it must add it to its whitelist';
    const seen = stubApi(() => problem(422, 'transfer_not_accepted', detail));
    const onDone = vi.fn();
    renderInApp(
      <ActionModal action="transfer" bundles={[bundle(7)]} holder={holder} onClose={() => {}} onDone={onDone} />,
    );
    const dialog = await screen.findByRole('dialog', { name: 'Transfer certificates' });
    expect(screen.getByRole('region', { name: 'What will happen' }).textContent).toContain(
      'Enter the account to transfer to.',
    );
    expect((screen.getByRole('button', { name: 'Transfer' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(screen.getByRole('textbox', { name: /^Target account id/ }), '3');
    expect(screen.getByRole('region', { name: 'What will happen' }).textContent).toContain(
      'Transfer bundle 7 (1,000,000 Wh, certificates 1–1000000) from account 1 (Producer) to account 3.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Transfer 1,000,000 Wh' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`Refused${detail}`);
    expect(dialog.isConnected).toBe(true);
    expect(onDone).not.toHaveBeenCalled();

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(new URL(request!.url).pathname).toBe('/api/certificates/transfer');
    expect(await request!.json()).toEqual({ source_id: 1, granular_certificate_bundle_ids: [7], target_id: 3 });
    const key = request!.headers.get('idempotency-key');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    // Answered: trying again is a new change, under a new key.
    await userEvent.click(screen.getByRole('button', { name: 'Transfer 1,000,000 Wh' }));
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(seen[1]!.headers.get('idempotency-key')).not.toBe(key);
  });
});
