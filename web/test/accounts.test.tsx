// The accounts pages' parts: what is read from typing (account ids, whom to invite) and the words
// of each confirmation; and, with the API played by a stub, the whitelist (added, refused, removed
// after a confirmation), an API key's secret shown once, a key revoked, an invitation made and
// answered, a member's removal refused in the API's words.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiKeys } from '../src/accounts/api-keys';
import { Invitations } from '../src/accounts/invitations';
import { Invite } from '../src/accounts/invite';
import { Members } from '../src/accounts/members';
import { NewApiKey } from '../src/accounts/new-api-key';
import {
  type Account,
  type ApiKey,
  accountIds,
  inviteBody,
  invitedText,
  type Member,
  removeMemberWords,
  revokeWords,
  unwhitelistWords,
} from '../src/accounts/shape';
import { Whitelist } from '../src/accounts/whitelist';
import { renderInApp } from './render';
import { ejectStub, json, problem, stubApi } from './stub-api';

const T = '2026-06-01T08:00:00.000Z';
const account = (id: number, account_name: string): Account => ({
  id,
  account_name,
  created_at: T,
  updated_at: T,
  closed_at: null,
  organisation_id: null,
});
const solar = account(3, 'Solar');
const member = (user_id: number, name: string): Member => ({
  user_id,
  name,
  email: `${name.toLowerCase()}@example.com`,
  role: 'producer',
  added_at: T,
});
const apiKey = (id: number, name: string, over: Partial<ApiKey> = {}): ApiKey => ({
  id,
  name,
  prefix: 'tly_9f2c',
  created_at: T,
  last_used_at: null,
  revoked_at: null,
  ...over,
});
const KEY = /^[0-9a-f]{32}$/;

afterEach(() => {
  ejectStub();
  vi.unstubAllGlobals();
});

describe('what the accounts pages read and write', () => {
  it('reads account ids typed with commas or spaces, each once, and names what is not an id', () => {
    expect(accountIds(' 5, 7 5;12 ')).toEqual({ ok: true, value: [5, 7, 12] });
    expect(accountIds(' , ')).toEqual({ ok: false, problem: 'Enter an account id.' });
    expect(accountIds('5, 0')).toEqual({
      ok: false,
      problem: '“0” is not an account id: ids are whole numbers from 1.',
    });
    expect(accountIds('5 x7')).toEqual({
      ok: false,
      problem: '“x7” is not an account id: ids are whole numbers from 1.',
    });
    expect(accountIds('99999999999999999').ok).toBe(false);
  });

  it('invites by user id when only digits are typed, else by email, and says what inviting did', () => {
    expect(inviteBody(' 12 ')).toEqual({ ok: true, value: { user_id: 12 } });
    expect(inviteBody(' ana@example.com ')).toEqual({ ok: true, value: { email: 'ana@example.com' } });
    expect(inviteBody('ana')).toEqual({
      ok: false,
      problem: 'Enter the email address or the user id of the person to invite.',
    });
    const invitation = {
      id: 8,
      account_id: 3,
      user_id: null,
      email: 'ana@example.com',
      invited_by: 1,
      created_at: T,
      status: 'pending' as const,
    };
    expect(invitedText(invitation, 'Solar')).toBe(
      'Invitation 8 made for ana@example.com: they join Solar when they accept it under Accounts.',
    );
    expect(invitedText({ ...invitation, email: null, user_id: 12 }, 'Solar')).toBe(
      'Invitation 8 made for user 12: they join Solar when they accept it under Accounts.',
    );
    expect(invitedText({ items: [member(1, 'Ana'), member(12, 'Bo')] }, 'Solar')).toBe(
      'Added: Solar has 2 members now.',
    );
  });

  it('words each confirmation: the member, the whitelisted account, the key and its last use', () => {
    expect(removeMemberWords(member(12, 'Bo'), solar, false)).toEqual([
      'Remove Bo (bo@example.com) from Solar (account 3).',
      'Bo will no longer see this account or act on its certificates, until invited again.',
    ]);
    expect(removeMemberWords(member(1, 'Ana'), solar, true)[1]).toBe(
      'You will no longer see this account or act on its certificates, until a member invites you again.',
    );
    expect(unwhitelistWords('account 7', solar)[0]).toBe(
      'Stop accepting transfers from account 7 into Solar (account 3).',
    );
    expect(revokeWords(apiKey(4, 'meter uploader'))[0]).toBe(
      'Revoke the API key “meter uploader” (tly_9f2c…), never used.',
    );
    expect(revokeWords(apiKey(4, 'meter uploader', { last_used_at: '2026-06-02T10:30:00.000Z' }))[0]).toBe(
      'Revoke the API key “meter uploader” (tly_9f2c…), last used 2026-06-02 10:30 UTC.',
    );
  });
});

describe('the whitelist', () => {
  it('adds ids, names a bad one before sending, shows a refusal in the API’s words, removes after a confirmation', async () => {
    let acceptsFrom = [7];
    const seen = stubApi(async (path, _query, request) => {
      if (path === '/api/accounts') return json({ items: [solar, account(7, 'Trader')], next_cursor: null });
      if (path !== '/api/accounts/3/whitelist') return json({ title: 'not stubbed' }, 500);
      if (request.method === 'POST') {
        const change = (await request.json()) as { add?: number[]; remove?: number[] };
        if (change.add?.includes(999)) return problem(404, 'account_not_found', 'account 999 not found');
        acceptsFrom = [...new Set([...acceptsFrom, ...(change.add ?? [])])].filter(
          (id) => !change.remove?.includes(id),
        );
      }
      return json({ account_id: 3, accepts_from: acceptsFrom, accepted_by: [5] });
    });
    renderInApp(<Whitelist account={solar} />);
    const listed = async () =>
      within(await screen.findByRole('list', { name: 'Accounts whose transfers it accepts' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent);
    expect(await listed()).toEqual(['Trader (account 7)Remove']);
    expect(screen.getByText('Account 5.')).toBeTruthy();
    const field = screen.getByRole('textbox', { name: 'Account ids to accept transfers from' });
    const posts = () => seen.filter((r) => r.method === 'POST');

    await userEvent.type(field, 'abc');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByRole('alert').textContent).toBe('“abc” is not an account id: ids are whole numbers from 1.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(posts()).toHaveLength(0);

    await userEvent.clear(field);
    await userEvent.type(field, '999{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('Refusedaccount 999 not found');
    expect(await listed()).toEqual(['Trader (account 7)Remove']);

    await userEvent.clear(field);
    await userEvent.type(field, '9, 7{Enter}');
    await screen.findByText('Added accounts 7, 9.');
    expect(await listed()).toEqual(['Trader (account 7)Remove', 'Account 9Remove']);
    expect(await posts()[1]!.json()).toEqual({ add: [9, 7] });
    expect(posts()[1]!.headers.get('idempotency-key')).toMatch(KEY);
    // Answered: the next change is sent under a key of its own.
    expect(posts()[1]!.headers.get('idempotency-key')).not.toBe(posts()[0]!.headers.get('idempotency-key'));

    await userEvent.click(screen.getByRole('button', { name: 'Remove account 7 from the whitelist' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove from the whitelist' });
    expect(within(dialog).getByText(/^Stop accepting/).textContent).toBe(
      'Stop accepting transfers from Trader (account 7) into Solar (account 3).',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove account 7' }));
    await waitFor(async () => expect(await listed()).toEqual(['Account 9Remove']));
    expect(await posts()[2]!.json()).toEqual({ remove: [7] });
    expect(posts()[2]!.headers.get('idempotency-key')).toMatch(KEY);
  });
});

describe('API keys', () => {
  const secret = 'tly_9f2c4b1e7a0d5f3c8b6e2a9d1c7f4e0b3a5d8c2e6f1b';

  it('shows a new key’s secret once, with a copy button and the warning, and forgets it when done', async () => {
    const seen = stubApi((path, _query, request) =>
      path === '/api/api-keys' && request.method === 'POST'
        ? json({ ...apiKey(4, 'meter uploader'), key: secret }, 201)
        : json({ items: [], next_cursor: null }),
    );
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderInApp(<NewApiKey />);
    await userEvent.type(screen.getByRole('textbox', { name: 'What the key is for' }), 'meter uploader{Enter}');
    const code = await screen.findByText(secret);
    expect(code.tagName).toBe('CODE');
    const shown = code.closest<HTMLElement>('[role="status"]')!;
    expect(within(shown).getByText('Your new key “meter uploader”')).toBeTruthy();
    expect(within(shown).getByText(/^Copy it now/).textContent).toBe(
      'Copy it now: it will not be shown again. Tally keeps only a digest of it.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Copy the new API key' }));
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(screen.getByRole('button', { name: 'Copy the new API key' }).textContent).toBe('Copied');
    const [create] = seen.filter((r) => r.method === 'POST');
    expect(await create!.json()).toEqual({ name: 'meter uploader' });
    // The API never stores an answer with a secret, so no key is sent for it to ignore.
    expect(create!.headers.get('idempotency-key')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText(secret)).toBeNull();
  });

  it('selects the secret for the keyboard where the browser offers no clipboard (plain http)', async () => {
    stubApi(() => json({ ...apiKey(4, 'meter uploader'), key: secret }, 201));
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    renderInApp(<NewApiKey />);
    await userEvent.type(screen.getByRole('textbox', { name: 'What the key is for' }), 'meter uploader{Enter}');
    await userEvent.click(await screen.findByRole('button', { name: 'Copy the new API key' }));
    await screen.findByText('Selected: press Ctrl+C or ⌘C to copy.');
    expect(window.getSelection()?.toString()).toBe(secret);
  });

  it('revokes an active key after a confirmation, and offers nothing for a revoked one', async () => {
    let revoked: string | null = null;
    const seen = stubApi((path, _query, request) => {
      if (request.method === 'DELETE') revoked = '2026-06-03T09:00:00.000Z';
      if (path.startsWith('/api/api-keys'))
        return json({
          items: [apiKey(4, 'meter uploader', { revoked_at: revoked }), apiKey(2, 'old', { revoked_at: T })],
          next_cursor: null,
        });
      return json({ title: 'not stubbed' }, 500);
    });
    renderInApp(<ApiKeys />);
    const row = async (name: string) => (await screen.findByRole('cell', { name })).closest('tr')!;
    expect((await row('old')).textContent).toBe('oldtly_9f2c…2026-06-01 08:00 UTCNeverRevoked 2026-06-01 08:00 UTC');
    expect(screen.getAllByRole('button', { name: /^Revoke/ }).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Revoke meter uploader',
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke meter uploader' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke an API key' });
    expect(within(dialog).getByText(/cannot be restored/).textContent).toBe(
      'Every program that sends it is refused from this moment. A revoked key cannot be restored.',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke meter uploader' }));
    await waitFor(async () =>
      expect((await row('meter uploader')).textContent).toContain('Revoked 2026-06-03 09:00 UTC'),
    );
    const [revoke] = seen.filter((r) => r.method === 'DELETE');
    expect(new URL(revoke!.url).pathname).toBe('/api/api-keys/4');
    expect(revoke!.headers.get('idempotency-key')).toMatch(KEY);
    expect(screen.queryAllByRole('button', { name: /^Revoke/ })).toHaveLength(0);
  });
});

describe('members and invitations', () => {
  it('invites by user id with an Idempotency-Key, and says the invitation waits for an answer', async () => {
    const seen = stubApi(() =>
      json({ id: 8, account_id: 3, user_id: 12, email: null, invited_by: 1, created_at: T, status: 'pending' }, 202),
    );
    renderInApp(<Invite account={solar} />);
    const field = screen.getByRole('textbox', { name: 'Email or user id' });
    await userEvent.type(field, 'bo{Enter}');
    expect(screen.getByRole('alert').textContent).toBe(
      'Enter the email address or the user id of the person to invite.',
    );
    expect(seen).toHaveLength(0);
    await userEvent.clear(field);
    await userEvent.type(field, '12{Enter}');
    expect((await screen.findByRole('status')).textContent).toBe(
      'InvitedInvitation 8 made for user 12: they join Solar when they accept it under Accounts.',
    );
    expect(new URL(seen[0]!.url).pathname).toBe('/api/accounts/3/members');
    expect(await seen[0]!.json()).toEqual({ user_id: 12 });
    expect(seen[0]!.headers.get('idempotency-key')).toMatch(KEY);
  });

  it('shows the refusal to remove the last member in the dialog, which stays open', async () => {
    stubApi((path, _query, request) => {
      if (request.method === 'DELETE') return problem(409, 'last_member', 'account 3 keeps at least one member');
      if (path === '/api/accounts/3/members') return json({ items: [member(1, 'Ana')], next_cursor: null });
      return json({ title: 'not stubbed' }, 500);
    });
    renderInApp(<Members account={solar} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove Ana' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove a member' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove Ana' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Refusedaccount 3 keeps at least one member');
    expect(dialog.isConnected).toBe(true);
  });

  it('accepts an invitation, which then leaves the list, and says which account the user joined', async () => {
    let answered = false;
    const invitation = { id: 8, account_id: 3, user_id: 12, email: null, invited_by: 1, created_at: T };
    const seen = stubApi((path, _query, request) => {
      if (request.method === 'POST') {
        answered = true;
        return json({ ...invitation, status: 'accepted' });
      }
      if (path === '/api/invitations')
        return json({ items: answered ? [] : [{ ...invitation, status: 'pending' }], next_cursor: null });
      return json({ items: [], next_cursor: null });
    });
    renderInApp(<Invitations />);
    expect((await screen.findByText(/^Account 3, invited/)).textContent).toBe(
      'Account 3, invited by user 1 on 2026-06-01 08:00 UTC',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Accept the invitation to account 3' }));
    expect((await screen.findByRole('status')).textContent).toBe('JoinedYou are a member of account 3 now.');
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Invitations' })).toBeNull());
    const post = seen.find((r) => r.method === 'POST')!;
    expect(new URL(post.url).pathname).toBe('/api/invitations/8/accept');
    expect(post.headers.get('idempotency-key')).toMatch(KEY);
  });
});
