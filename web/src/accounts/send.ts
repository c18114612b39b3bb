// The accounts pages' changes as requests to the API, each sent with the Idempotency-Key header
// the caller keeps for it (api/idempotency.ts): a retry after a lost answer gets the first answer
// instead of acting twice.
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import type { InviteBody } from './shape';

/** A whitelist change as the API takes it. */
export type WhitelistChange = { add: number[] } | { remove: number[] };

export const createAccount = (account_name: string, header: KeyHeader) =>
  api.POST('/api/accounts', { params: { header }, body: { account_name } });

export const invite = (account: number, body: InviteBody, header: KeyHeader) =>
  api.POST('/api/accounts/{id}/members', { params: { header, path: { id: account } }, body });

export const removeMember = (account: number, user: number, header: KeyHeader) =>
  api.DELETE('/api/accounts/{id}/members/{user_id}', { params: { header, path: { id: account, user_id: user } } });

export const changeWhitelist = (account: number, body: WhitelistChange, header: KeyHeader) =>
  api.POST('/api/accounts/{id}/whitelist', { params: { header, path: { id: account } }, body });

export const answerInvitation = (id: number, accept: boolean, header: KeyHeader) => {
  const params = { header, path: { id } };
  // One call per route: openapi-fetch types each by its literal path.
  return accept
    ? api.POST('/api/invitations/{id}/accept', { params })
    : api.POST('/api/invitations/{id}/decline', { params });
};

export const revokeApiKey = (id: number, header: KeyHeader) =>
  api.DELETE('/api/api-keys/{id}', { params: { header, path: { id } } });
