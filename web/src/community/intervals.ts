// A community's cleared intervals of one day: one page of at most 96, a day at any interval length.
// The clearing and the flows chart ask the same, and so share one cached answer.
import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/client';
import { dayPeriod } from './shape';

export function useDayIntervals(communityId: number, day: string) {
  return useQuery({
    queryKey: ['community-intervals', communityId, day],
    queryFn: async () =>
      dataOf(
        await api.GET('/api/communities/{id}/intervals', {
          params: { path: { id: communityId }, query: { ...dayPeriod(day), limit: 96 } },
        }),
      ),
  });
}
