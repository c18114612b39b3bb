// The signed-in user: one query, shared by every page that asks who is calling.
import { useQuery } from '@tanstack/react-query';
import { useSignedIn } from '../session';
import { api, dataOf } from './client';

export function useMe() {
  const signedIn = useSignedIn();
  return useQuery({
    queryKey: ['me'],
    enabled: signedIn,
    queryFn: async () => dataOf(await api.GET('/api/user/me')),
  });
}
