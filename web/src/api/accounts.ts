// The accounts the signed-in user belongs to: one query, shared by every page that asks.
import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from './client';

export function useAccounts() {
  return useQuery({
    queryKey: ['accounts'],
    queryFn: async () => dataOf(await api.GET('/api/accounts', { params: { query: { limit: 100 } } })),
  });
}
