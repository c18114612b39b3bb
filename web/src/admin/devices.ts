// Every device the issuing body may read (all of them), for choosing one to issue for and for
// switching automatic issuance. Under the devices pages' `metering` keys, so a change to a device
// refreshes those pages' lists too.
import { useQuery } from '@tanstack/react-query';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';

export const DEVICES_KEY = ['metering', 'devices'];

export function useAllDevices() {
  return useQuery({
    queryKey: [...DEVICES_KEY, 'all'],
    queryFn: () =>
      allPages(async (cursor) => dataOf(await api.GET('/api/devices', { params: { query: { limit: 1000, cursor } } }))),
  });
}
