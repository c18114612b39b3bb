// The administration page's parts: which parts each role sees; an issuance's request built from the
// form (times read as UTC) and the words of its confirmation, interval by interval with each one's
// limit; a withdrawal's words; the waiting hours grouped and a run's words; a role change's and a
// new user's words; and, rendered, the issuance form sending exactly what it said with an
// Idempotency-Key, a refusal shown in the dialog in the API's words, and a producer told there is
// nothing for them.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { IssueSection } from '../src/admin/issue';
import {
  type IntervalRow,
  issuedText,
  issueWords,
  limitWh,
  nextRow,
  prepareIssue,
  shifted,
} from '../src/admin/issue-request';
import { autoIssueWords, groupPending, runText, runWords } from '../src/admin/issuance-words';
import { sectionsFor } from '../src/admin/sections';
import { UserChange } from '../src/admin/user-change';
import { deactivateWords, newUserWords, prepareNewUser, prepareRole, roleWords } from '../src/admin/user-requests';
import { prepareWithdraw, withdrawnText, withdrawWords } from '../src/admin/withdraw-request';
import type { User } from '../src/api/roles';
import type { ActionResult, Bundle } from '../src/certificates/types';
import type { Device, PendingHour } from '../src/metering/types';
import { AdminPage } from '../src/pages/admin';
import { SessionProvider, signIn, signOut } from '../src/session';
import { renderInApp } from './render';
import { ejectStub, json, problem, stubApi } from './stub-api';

/** A 1 MW solar device 5 of account 3: 1,100,000 Wh at most for a whole hour. */
const device = {
  id: 5,
  device_name: 'Roof array',
  account_id: 3,
  capacity: 1_000_000,
  device_type: 'production',
} as Device;
const row = (start: string, end: string, wh?: number): IntervalRow => ({ start, end, ...(wh && { wh }) });

const user = (id: number, role: User['role'], name = 'Pat'): User => ({
  id,
  email: `${name.toLowerCase()}@example.com`,
  name,
  role,
  email_verified: true,
  created_at: '2026-01-01T00:00:00.000Z',
  organisation_id: null,
  deactivated_at: null,
});

describe('who sees what', () => {
  it('gives users and roles to the administrator, issuing to the issuing body and the administrator, nothing to others', () => {
    expect(sectionsFor('admin')).toEqual(['users', 'issue', 'withdraw', 'issuance']);
    expect(sectionsFor('issuer')).toEqual(['issue', 'withdraw', 'issuance']);
    expect([sectionsFor('producer'), sectionsFor('trader'), sectionsFor('auditor')]).toEqual([[], [], []]);
  });
});

describe('an issuance', () => {
  it('builds the request from the form, times read as UTC, intervals in the order entered', () => {
    expect(
      prepareIssue({
        deviceId: 5,
        rows: [row('2025-06-01T01:00', '2025-06-01T02:00', 900_000), row('2025-06-01T00:00', '2025-06-01T00:30', 400)],
      }),
    ).toEqual({
      ok: true,
      request: {
        device_id: 5,
        intervals: [
          {
            production_starting_interval: '2025-06-01T01:00:00.000Z',
            production_ending_interval: '2025-06-01T02:00:00.000Z',
            wh: 900_000,
          },
          {
            production_starting_interval: '2025-06-01T00:00:00.000Z',
            production_ending_interval: '2025-06-01T00:30:00.000Z',
            wh: 400,
          },
        ],
      },
    });
  });

  it('says what is missing, interval by interval, before there is anything to word', () => {
    expect(prepareIssue({ rows: [row('2025-06-01T00:00', '2025-06-01T01:00', 1)] })).toEqual({
      ok: false,
      missing: 'Choose the device that produced the energy.',
    });
    const two = (second: IntervalRow) =>
      prepareIssue({ deviceId: 5, rows: [row('2025-06-01T00:00', '2025-06-01T01:00', 1), second] });
    expect(two(row('', '2025-06-01T02:00', 1))).toEqual({ ok: false, missing: 'Enter when interval 2 starts.' });
    expect(two(row('2025-06-01T01:00', 'soon', 1))).toEqual({ ok: false, missing: 'Enter when interval 2 ends.' });
    expect(two(row('2025-06-01T01:00', '2025-06-01T02:00'))).toEqual({
      ok: false,
      missing: 'Enter the Wh produced in interval 2.',
    });
  });

  it('words several intervals in time order, each with its Wh and the limit for its length', () => {
    const prepared = prepareIssue({
      deviceId: 5,
      rows: [
        row('2025-06-01T23:00', '2025-06-02T00:00', 1_000_000),
        row('2025-06-01T22:00', '2025-06-01T22:30', 400_000),
        row('2025-06-01T21:00', '2025-06-01T22:00', 1),
      ],
    });
    expect(prepared.ok && issueWords(prepared.request, device)).toEqual([
      'Issue 1,400,001 Wh for device 5 (Roof array) into account 3, in 3 bundles, one per interval:',
      '2025-06-01 21:00–22:00 UTC: 1 Wh of at most 1,100,000 Wh.',
      '2025-06-01 22:00–22:30 UTC: 400,000 Wh of at most 550,000 Wh.',
      '2025-06-01 23:00–2025-06-02 00:00 UTC: 1,000,000 Wh of at most 1,100,000 Wh.',
      'All or nothing: the registry refuses the whole issuance if an interval was issued before, has not ended, ' +
        "or holds more than the device's capacity (1 MW) × its length × 1.1.",
    ]);
    const one = prepareIssue({ deviceId: 5, rows: [row('2025-06-01T00:00', '2025-06-01T01:00', 1_200_000)] });
    expect(one.ok && issueWords(one.request, device).slice(0, 2)).toEqual([
      'Issue 1,200,000 Wh for device 5 (Roof array) into account 3, in one bundle:',
      '2025-06-01 00:00–01:00 UTC: 1,200,000 Wh of at most 1,100,000 Wh.',
    ]);
  });

  it('counts the limit exactly as the registry does: capacity × length × 1.1, floored', () => {
    expect(limitWh(1_000_000, 3_600_000)).toBe(1_100_000);
    expect(limitWh(7, 900_000)).toBe(1); // 7 × ¼ × 1.1 = 1.925
    expect(limitWh(9_007_199_254_740, 3_600_000)).toBe(9_907_919_180_214);
  });

  it('continues from the last interval, as long as it, and fills an end an hour after a start', () => {
    expect(nextRow(row('2025-06-01T23:30', '2025-06-02T00:00', 5))).toEqual(
      row('2025-06-02T00:00', '2025-06-02T00:30'),
    );
    expect(nextRow(row('2025-06-01T23:00', ''))).toEqual(row('', ''));
    expect(shifted('2025-06-01T23:00', 3_600_000)).toBe('2025-06-02T00:00');
    expect(shifted('', 3_600_000)).toBe('');
  });

  it('says what the API issued', () => {
    const issued = (id: number, start: number, wh: number) =>
      ({
        id,
        account_id: 3,
        bundle_quantity: wh,
        certificate_bundle_id_range_start: start,
        certificate_bundle_id_range_end: start + wh - 1,
      }) as Bundle;
    expect(issuedText([issued(12, 1, 1_000_000)])).toBe(
      'Issued 1,000,000 Wh to account 3: bundle 12 (certificates 1–1000000).',
    );
    expect(issuedText([issued(12, 1, 10), issued(13, 11, 10), issued(14, 21, 5)])).toBe(
      'Issued 25 Wh to account 3 in 3 bundles (12–14).',
    );
  });
});

describe('a withdrawal', () => {
  const bundle = (id: number, wh: number, start: number) =>
    ({
      id,
      device_id: 5,
      account_id: 3,
      bundle_quantity: wh,
      certificate_bundle_id_range_start: start,
      certificate_bundle_id_range_end: start + wh - 1,
      production_starting_interval: '2025-06-01T00:00:00.000Z',
      production_ending_interval: '2025-06-01T01:00:00.000Z',
    }) as Bundle;
  const holder = { id: 3, name: 'Producer' };

  it('names a single bundle by its Wh, certificate ids, hour and device, and several by their ids and total', () => {
    const one = [bundle(7, 1_000_000, 1)];
    const prepared = prepareWithdraw(3, one);
    expect(prepared).toEqual({ ok: true, request: { source_id: 3, granular_certificate_bundle_ids: [7] } });
    expect(prepared.ok && withdrawWords(prepared.request, one, holder)).toEqual([
      'Withdraw bundle 7 (1,000,000 Wh, certificates 1–1000000, produced 2025-06-01 00:00–01:00 UTC by device 5) ' +
        'from account 3 (Producer).',
      'Withdrawn certificates count for nothing: they can no longer be transferred, cancelled or claimed. ' +
        'Each withdrawn bundle can be re-issued once, by a re-issue that links to it.',
    ]);
    const several = [bundle(9, 10, 21), bundle(3, 10, 1), bundle(4, 10, 11), bundle(5, 5, 31)];
    const all = prepareWithdraw(3, several);
    expect(all.ok && withdrawWords(all.request, several, holder)[0]).toBe(
      'Withdraw 35 Wh in 4 bundles (3–5, 9) from account 3 (Producer).',
    );
    expect(prepareWithdraw(3, [])).toEqual({ ok: false, missing: 'Select the bundles to withdraw first.' });
  });

  it('says what the API withdrew, and the ledger event', () => {
    const result = { action_id: 41, source_id: 3, certificate_quantity: 1_000_000, bundles: [bundle(7, 1_000_000, 1)] };
    expect(withdrawnText(result as ActionResult)).toBe(
      'Withdrew 1,000,000 Wh (bundle 7) from account 3. Ledger event 41.',
    );
  });
});

describe('automatic issuance', () => {
  const waiting = (deviceId: number, hour: number, wh: number, reason: PendingHour['reason']): PendingHour => ({
    device_id: deviceId,
    production_starting_interval: `2026-11-30T${String(hour).padStart(2, '0')}:00:00.000Z`,
    production_ending_interval: `2026-11-30T${String(hour + 1).padStart(2, '0')}:00:00.000Z`,
    wh,
    reason,
  });
  const items = [
    waiting(2, 10, 500, 'ready'),
    waiting(1, 12, 300, 'ready'),
    waiting(1, 9, 200, 'ready'),
    waiting(1, 11, 5_000_000, 'over_capacity'),
  ];

  it('groups the waiting hours by device and reason, with their span and Wh', () => {
    expect(groupPending(items)).toEqual([
      {
        deviceId: 1,
        reason: 'over_capacity',
        hours: 1,
        wh: 5_000_000,
        from: '2026-11-30T11:00:00.000Z',
        to: '2026-11-30T12:00:00.000Z',
      },
      {
        deviceId: 1,
        reason: 'ready',
        hours: 2,
        wh: 500,
        from: '2026-11-30T09:00:00.000Z',
        to: '2026-11-30T13:00:00.000Z',
      },
      {
        deviceId: 2,
        reason: 'ready',
        hours: 1,
        wh: 500,
        from: '2026-11-30T10:00:00.000Z',
        to: '2026-11-30T11:00:00.000Z',
      },
    ]);
  });

  it('says what a run would issue now, and what it did', () => {
    expect(runWords(items)[1]).toBe('Ready now: 3 hours, 1,000 Wh, of devices 1, 2.');
    expect(runWords([items[3]!])[1]).toBe('No hour is ready now, so the run will most likely issue nothing.');
    expect(
      runText({ bundles_issued: 1, wh_issued: 1_000, failed: [{ device_id: 4, error: 'account 9 is closed' }] }),
    ).toBe('Issued 1 bundle, 1,000 Wh. Device 4 was skipped: account 9 is closed.');
  });

  it('says what switching a device means', () => {
    expect(autoIssueWords({ id: 5, auto_issue: true }, device)[0]).toBe(
      'Turn on automatic issuance for device 5 (Roof array) of account 3.',
    );
    expect(autoIssueWords({ id: 5, auto_issue: false }, device)[0]).toBe(
      'Turn off automatic issuance for device 5 (Roof array) of account 3.',
    );
  });
});

describe('users and roles', () => {
  it('words a role change with what the new role grants, and refuses to word the same role', () => {
    const pat = user(7, 'producer');
    expect(prepareRole(pat, undefined)).toEqual({ ok: false, missing: 'Choose the new role.' });
    expect(prepareRole(pat, 'producer')).toEqual({
      ok: false,
      missing: 'Pat is already producer: choose another role.',
    });
    const change = prepareRole(pat, 'issuer');
    expect(change).toEqual({ ok: true, request: { id: 7, role: 'issuer' } });
    expect(change.ok && roleWords(change.request, pat, false)).toEqual([
      'Change the role of Pat (pat@example.com, user 7) from Producer to Issuing body.',
      'The issuing body issues, withdraws and re-issues certificates, and reads every account.',
      'It takes effect at once, on their next request.',
    ]);
    expect(deactivateWords(pat)[0]).toBe('Deactivate Pat (pat@example.com, user 7).');
  });

  it('builds a new user from trimmed fields, and words it', () => {
    expect(prepareNewUser({ email: ' a@example.com ', name: 'Ann', password: '', role: 'auditor' })).toEqual({
      ok: false,
      missing: 'Enter a password for the user’s first sign-in.',
    });
    const made = prepareNewUser({
      email: ' a@example.com ',
      name: ' Ann ',
      role: 'auditor',
      password: 'long enough pw',
    });
    expect(made).toEqual({
      ok: true,
      request: { email: 'a@example.com', name: 'Ann', role: 'auditor', password: 'long enough pw' },
    });
    expect(made.ok && newUserWords(made.request)[0]).toBe('Create the user Ann (a@example.com) with the role Auditor.');
  });
});

describe('rendered against a stubbed API', () => {
  afterEach(ejectStub);

  it('issues what the confirmation said, with an Idempotency-Key, and shows a refusal in the dialog', async () => {
    const detail = "1200000 Wh exceeds the device's limit of 1100000 Wh for this interval (capacity × hours × 1.1)";
    const seen = stubApi((path, _query, request) =>
      request.method === 'GET' && path === '/api/devices'
        ? json({ items: [device], next_cursor: null })
        : problem(422, 'over_capacity', detail),
    );
    renderInApp(<IssueSection />);
    const form = await screen.findByRole('form', { name: 'Issue certificates' });
    expect(within(form).getByText('Choose the device that produced the energy.')).toBeTruthy();
    await userEvent.click(screen.getByRole('combobox', { name: 'Device' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Roof array (device 5, account 3)', hidden: true }),
    );
    const interval = screen.getByRole('group', { name: 'Interval 1' });
    // A start fills the end an hour later.
    fireEvent.change(within(interval).getByLabelText('Starts (UTC)'), { target: { value: '2025-06-01T00:00' } });
    expect((within(interval).getByLabelText('Ends (UTC)') as HTMLInputElement).value).toBe('2025-06-01T01:00');
    await userEvent.type(within(interval).getByRole('textbox', { name: /^Wh metered/ }), '1200000');
    await userEvent.click(screen.getByRole('button', { name: 'Review issuance' }));

    const dialog = await screen.findByRole('dialog', { name: 'Issue certificates' });
    const said = within(dialog).getByRole('region', { name: 'What will happen' });
    expect([...said.querySelectorAll('p')].map((p) => p.textContent)).toEqual([
      'Issue 1,200,000 Wh for device 5 (Roof array) into account 3, in one bundle:',
      '2025-06-01 00:00–01:00 UTC: 1,200,000 Wh of at most 1,100,000 Wh.',
      'All or nothing: the registry refuses the whole issuance if an interval was issued before, has not ended, ' +
        "or holds more than the device's capacity (1 MW) × its length × 1.1.",
    ]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Issue 1,200,000 Wh' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe(`Refused${detail}`);
    expect(dialog.isConnected).toBe(true);

    const sent = seen.filter((r) => r.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(new URL(sent[0]!.url).pathname).toBe('/api/certificates/issue');
    expect(await sent[0]!.json()).toEqual({
      device_id: 5,
      intervals: [
        {
          production_starting_interval: '2025-06-01T00:00:00.000Z',
          production_ending_interval: '2025-06-01T01:00:00.000Z',
          wh: 1_200_000,
        },
      ],
    });
    expect(sent[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes a role to the one chosen in the dialog, by PATCH with an Idempotency-Key', async () => {
    const pat = user(7, 'producer');
    const seen = stubApi(() => json({ ...pat, role: 'trader' }));
    let done: string | undefined;
    renderInApp(<UserChange user={pat} action="role" self={false} onClose={() => {}} onDone={(t) => (done = t)} />);
    const dialog = await screen.findByRole('dialog', { name: 'Change role' });
    expect(within(dialog).getByText('Choose the new role.')).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('combobox', { name: /^New role/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'Trader', hidden: true }));
    expect(
      within(dialog).getByText('Change the role of Pat (pat@example.com, user 7) from Producer to Trader.'),
    ).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Make Pat trader' }));
    await waitFor(() => expect(done).toBe('Pat (pat@example.com, user 7) is now trader.'));
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['PATCH /api/users/7']);
    expect(await seen[0]!.json()).toEqual({ role: 'trader' });
    expect(seen[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('tells a producer there is nothing for them here, and offers no part of the page', async () => {
    // An access token that expires far in the future: the session sends it without refreshing.
    const payload = btoa(JSON.stringify({ exp: 4_102_444_800 })).replace(/=+$/, '');
    stubApi((path) =>
      path === '/api/token' ? json({ access: `e30.${payload}.sig`, refresh: 'r' }) : json(user(2, 'producer', 'Sol')),
    );
    expect(await signIn('sol@example.com', 'correct horse battery')).toBeUndefined();
    try {
      renderInApp(
        <SessionProvider>
          <AdminPage />
        </SessionProvider>,
      );
      const alert = await screen.findByText('Nothing to do here');
      expect(alert.closest('[role="alert"]')?.textContent).toContain(
        'Administration is for administrators and the issuing body. You are signed in as sol@example.com (Producer)',
      );
      expect(screen.queryAllByRole('tab')).toEqual([]);
      expect(screen.queryByRole('button')).toBeNull();
    } finally {
      signOut();
    }
  });
});
