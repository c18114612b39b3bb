// The accounts pages' reads, each under one query key, and the keys the changes refresh.
import { useQuery } from '@tanstack/react-query';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';

export const KEYS = {
  account: (id: number) => ['account', id],
  members: (id: number) => ['account-members', id],
  whitelist: (id: number) => ['account-whitelist', id],
  invitations: ['invitations'],
  apiKeys: ['api-keys'],
} as const;

export function useAccount(id: number) {
  return useQuery({
    queryKey: KEYS.account(id),
    queryFn: async () => dataOf(await api.GET('/api/accounts/{id}', { params: { path: { id } } })),
  });
}

export function useMembers(id: number) {
  return useQuery({
    queryKey: KEYS.members(id),
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(
          await api.GET('/api/accounts/{id}/members', { params: { path: { id }, query: { limit: 1000, cursor } } }),
        ),
      ),
  });
}

export function useWhitelist(id: number) {
  return useQuery({
    queryKey: KEYS.whitelist(id),
    queryFn: async () => dataOf(await api.GET('/api/accounts/{id}/whitelist', { params: { path: { id } } })),
  });
}

/** The invitations waiting for the signed-in user's answer. */
export function useInvitations() {
  return useQuery({
    queryKey: KEYS.invitations,
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(await api.GET('/api/invitations', { params: { query: { limit: 1000, cursor } } })),
      ),
  });
}

/** The signed-in user's API keys, revoked ones included. */
export function useApiKeys() {
  return useQuery({
    queryKey: KEYS.apiKeys,
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(await api.GET('/api/api-keys', { params: { query: { limit: 1000, cursor } } })),
      ),
  });
}
