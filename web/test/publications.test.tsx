// The publications page's parts: what an uploader status means and what each kind of publication
// links to; and, with the API played by a stub, the list (status, CID and SHA-256 whole, a failed
// one's reason, "Load more" with the API's cursor) and publishing, refused in the API's words.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PublicationList } from '../src/publications/list';
import { Publish } from '../src/publications/publish';
import { type Publication, statusOf, subjectOf } from '../src/publications/shape';
import { renderInApp } from './render';
import { ejectStub, json, problem, stubApi } from './stub-api';

const DISCLOSURE = '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const publication = (id: string, over: Partial<Publication> = {}): Publication => ({
  id,
  kind: 'disclosure',
  subject_id: DISCLOSURE,
  storage_type: 'ipfs',
  quote_id: 'q-3f9a1c',
  status: 400,
  cid: CID,
  sha256: SHA,
  bytes: 182_311,
  file_name: `disclosure-${DISCLOSURE}.json`,
  failure: null,
  published_by: 1,
  created_at: '2026-07-01T09:00:00.000Z',
  ...over,
});
const STORED = '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8';
const FAILED = '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e9';
const OLDER = '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7ea';

afterEach(() => {
  ejectStub();
  vi.unstubAllGlobals();
});

describe('what a publication says', () => {
  it('reads the uploader’s status: 400 stored, 2xx payment failed, 401–499 upload failed', () => {
    expect([200, 299, 400, 401, 499, 500, 1].map((s) => statusOf(s).label)).toEqual([
      'Payment failed',
      'Payment failed',
      'Stored',
      'Upload failed',
      'Upload failed',
      'Status 500',
      'Status 1',
    ]);
    expect(statusOf(400).color).toBe('green');
    expect(statusOf(401).color).toBe('red');
  });

  it('links a disclosure and a ledger block to their public pages; a market session’s forecasts have none', () => {
    expect(subjectOf({ kind: 'disclosure', subject_id: DISCLOSURE })).toEqual({
      text: `Disclosure ${DISCLOSURE}`,
      page: { to: `/disclosures/${DISCLOSURE}`, label: 'Open the disclosure' },
    });
    expect(subjectOf({ kind: 'ledger_block', subject_id: '12' })).toEqual({
      text: 'Ledger block 12',
      page: { to: '/ledger/blocks/12', label: 'Open block 12' },
    });
    expect(subjectOf({ kind: 'market_forecasts', subject_id: '3' })).toEqual({
      text: 'Forecasts of market session 3',
    });
  });
});

describe('the list of publications', () => {
  it('shows each one’s status, CID and SHA-256 whole, a failed one’s reason, and pages with the API’s cursor', async () => {
    const seen = stubApi((_path, query) =>
      query.get('cursor') === 'next'
        ? json({ items: [publication(OLDER, { kind: 'market_forecasts', subject_id: '3' })], next_cursor: null })
        : json({
            items: [
              publication(STORED),
              publication(FAILED, {
                kind: 'ledger_block',
                subject_id: '12',
                status: 200,
                cid: null,
                failure: 'the approval failed: insufficient funds',
              }),
            ],
            next_cursor: 'next',
          }),
    );
    renderInApp(<PublicationList />);
    const card = async (name: string) => (await screen.findByRole('link', { name })).closest('li')!;
    const stored = await card(`Disclosure ${DISCLOSURE}`);
    expect(
      within(stored)
        .getByRole('link', { name: `Disclosure ${DISCLOSURE}` })
        .getAttribute('href'),
    ).toBe(`/publications/${STORED}`);
    expect(within(stored).getByText('Stored')).toBeTruthy();
    expect(within(stored).getByText(CID).tagName).toBe('CODE');
    expect(within(stored).getByText(SHA).tagName).toBe('CODE');
    expect(within(stored).getByRole('button', { name: 'Copy the CID' })).toBeTruthy();
    expect(within(stored).getByRole('link', { name: 'Open the disclosure' }).getAttribute('href')).toBe(
      `/disclosures/${DISCLOSURE}`,
    );

    const failed = await card('Ledger block 12');
    expect(within(failed).getByText('Payment failed')).toBeTruthy();
    expect(within(failed).getByText('the approval failed: insufficient funds')).toBeTruthy();
    expect(within(failed).getByText('None: not stored')).toBeTruthy();
    expect(within(failed).queryByRole('button', { name: 'Copy the CID' })).toBeNull();
    expect(within(failed).getByRole('link', { name: 'Open block 12' }).getAttribute('href')).toBe('/ledger/blocks/12');

    await userEvent.click(screen.getByRole('button', { name: 'Load more publications' }));
    await card('Forecasts of market session 3');
    expect(screen.getAllByRole('listitem').map((li) => li.querySelector('h3')?.textContent)).toEqual([
      `Disclosure ${DISCLOSURE}`,
      'Ledger block 12',
      'Forecasts of market session 3',
    ]);
    expect(seen.map((r) => new URL(r.url).searchParams.get('cursor'))).toEqual([null, 'next']);
    expect(screen.queryByRole('button', { name: 'Load more publications' })).toBeNull();
  });

  it('says when nothing is published yet', async () => {
    stubApi(() => json({ items: [], next_cursor: null }));
    renderInApp(<PublicationList />);
    await screen.findByText('Nothing is published yet.');
  });
});

describe('publishing', () => {
  it('offers the registered storages, sends the request with an Idempotency-Key, and shows a refusal', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json([{ type: 'ipfs', description: 'test provider', payment: [] }])),
    );
    let refuse = true;
    const seen = stubApi(() =>
      refuse ? problem(404, 'storage_not_found', 'no active storage of type ipfs') : json(publication(STORED), 201),
    );
    renderInApp(<Publish />);
    await screen.findByText(/Storages registered now: ipfs\.$/);
    expect((screen.getByRole('button', { name: 'Publish' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(screen.getByRole('textbox', { name: 'Disclosure id (a UUID)' }), ` ${DISCLOSURE} {Enter}`);
    expect((await screen.findByRole('alert')).textContent).toBe('Refusedno active storage of type ipfs');
    expect(await seen[0]!.json()).toEqual({ kind: 'disclosure', id: DISCLOSURE, storage_type: 'ipfs' });
    expect(seen[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);

    refuse = false;
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        `PublishedDisclosure ${DISCLOSURE}: stored on ipfs, CID ${CID}.`,
      ),
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
