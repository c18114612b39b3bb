// What the devices pages ask the API, each answer cached under `metering` keys: a device, the
// lists of devices and points (a page at a time), and a device's hours in a period.
import { type QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';
import { type Hour, mergeHours } from './hours';
import type { Device, MeteringPoint } from './types';

/** Rows per page of the lists; a "Show more" fetches the next. */
const PAGE = 100;
/** The most one page of readings or bundles holds. */
const MAX_PAGE = 1000;
/** How often hours ready to issue are looked at again: the issuance job runs about every minute. */
const READY_POLL_MS = 30_000;

const listOptions = { initialPageParam: undefined as string | undefined };
const nextCursor = (last: { next_cursor: string | null }) => last.next_cursor ?? undefined;

export function useDeviceList() {
  return useInfiniteQuery({
    ...listOptions,
    queryKey: ['metering', 'devices'],
    queryFn: async ({ pageParam }) =>
      dataOf(await api.GET('/api/devices', { params: { query: { limit: PAGE, cursor: pageParam } } })),
    getNextPageParam: nextCursor,
  });
}

export function usePointList() {
  return useInfiniteQuery({
    ...listOptions,
    queryKey: ['metering', 'points'],
    queryFn: async ({ pageParam }) =>
      dataOf(await api.GET('/api/metering-points', { params: { query: { limit: PAGE, cursor: pageParam } } })),
    getNextPageParam: nextCursor,
  });
}

export function useDevice(id: number) {
  return useQuery({
    queryKey: ['metering', 'device', id],
    queryFn: async () => dataOf(await api.GET('/api/devices/{id}', { params: { path: { id } } })),
  });
}

/** The points that feed the device: its account's points linked to it. */
export function useDevicePoints(device: Device | undefined) {
  return useQuery({
    queryKey: ['metering', 'points-of', device?.id],
    enabled: device !== undefined,
    queryFn: async () => {
      const points = await allPages(async (cursor) =>
        dataOf(
          await api.GET('/api/metering-points', {
            params: { query: { account_id: device!.account_id, limit: MAX_PAGE, cursor } },
          }),
        ),
      );
      return points.filter((p) => p.device_id === device!.id);
    },
  });
}

/** The device's hours in [from, to) (none asked while the period is wrong), with their issuance state; looked at again while some are ready to issue. */
export function useHours(device: Device, points: MeteringPoint[], range: { from: string; to: string } | undefined) {
  return useQuery({
    queryKey: ['metering', 'hours', device.id, points.map((p) => p.id), range?.from, range?.to],
    enabled: range !== undefined,
    queryFn: async (): Promise<Hour[]> => {
      const { from, to } = range!;
      const [readings, bundles, pending] = await Promise.all([
        Promise.all(
          points.map((p) =>
            allPages(async (cursor) =>
              dataOf(
                await api.GET('/api/metering-points/{id}/readings', {
                  params: { path: { id: p.id }, query: { from, to, limit: MAX_PAGE, cursor } },
                }),
              ),
            ),
          ),
        ),
        allPages(async (cursor) =>
          dataOf(
            await api.POST('/api/certificates/query', {
              body: {
                source_id: device.account_id,
                device_id: device.id,
                certificate_period_start: from,
                certificate_period_end: to,
                limit: MAX_PAGE,
                cursor,
              },
            }),
          ),
        ),
        api.GET('/api/issuance/pending', { params: { query: { device_id: device.id } } }).then(dataOf),
      ]);
      return mergeHours({ readings: readings.flat(), bundles, pending: pending.items, from, to });
    },
    refetchInterval: (query) => (query.state.data?.some((h) => h.reason === 'ready') ? READY_POLL_MS : false),
  });
}

/** After readings change: every device's hours are read afresh. */
export const readingsChanged = (queries: QueryClient) => queries.invalidateQueries({ queryKey: ['metering', 'hours'] });
