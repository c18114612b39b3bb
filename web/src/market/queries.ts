// What the market pages ask the API, each answer cached under `market` keys. Lists the API pages
// are read a page at a time; a resource's bids and one session's forecast (24 hours) are bounded
// and read whole.
import { type QueryClient, useQueries, useQuery } from '@tanstack/react-query';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';
import { usePagedList } from '../api/paged-list';

/** Rows per page of the lists; "Load more" fetches the next. */
const PAGE = 25;
/** The most one page holds, for the lists read whole. */
const MAX_PAGE = 1000;

const page = (cursor: string | undefined) => ({ limit: PAGE, cursor });

export const useSessions = () =>
  usePagedList(['market', 'sessions'], async (cursor) =>
    dataOf(await api.GET('/api/market/sessions', { params: { query: page(cursor) } })),
  );

export const useBids = () =>
  usePagedList(['market', 'bids'], async (cursor) =>
    dataOf(await api.GET('/api/market/bids', { params: { query: page(cursor) } })),
  );

export const useResources = () =>
  usePagedList(['market', 'resources'], async (cursor) =>
    dataOf(await api.GET('/api/market/resources', { params: { query: page(cursor) } })),
  );

export const useBalances = () =>
  usePagedList(['market', 'balances'], async (cursor) =>
    dataOf(await api.GET('/api/market/balances', { params: { query: page(cursor) } })),
  );

export const useTransactions = () =>
  usePagedList(['market', 'transactions'], async (cursor) =>
    dataOf(await api.GET('/api/market/transactions', { params: { query: page(cursor) } })),
  );

export const usePayouts = () =>
  usePagedList(['market', 'payouts'], async (cursor) =>
    dataOf(await api.GET('/api/market/payouts', { params: { query: page(cursor) } })),
  );

/** The session open for bids, if any (at most one is): only its bids may still be paid. */
export const useOpenSession = () =>
  useQuery({
    queryKey: ['market', 'sessions', 'open'],
    queryFn: async () =>
      dataOf(await api.GET('/api/market/sessions', { params: { query: { status: 'open', limit: 1 } } })).items[0] ??
      null,
  });

/** Where bids are paid, when the market has a wallet (it has none without a chain). */
export const useMarketWallet = () =>
  useQuery({
    queryKey: ['market', 'market-wallet'],
    queryFn: async () => (await api.GET('/api/market/market-wallet')).data ?? null,
  });

export const useResource = (id: string) =>
  useQuery({
    queryKey: ['market', 'resource', id],
    queryFn: async () => dataOf(await api.GET('/api/market/resources/{id}', { params: { path: { id } } })),
  });

/** The resources these ids name (a bid names its resource by id), each asked once and cached. */
export function useResourceNames(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  const answers = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['market', 'resource', id],
      queryFn: async () => dataOf(await api.GET('/api/market/resources/{id}', { params: { path: { id } } })),
    })),
  });
  const names = new Map<string, string>();
  for (const a of answers) if (a.data) names.set(a.data.id, a.data.name);
  return names;
}

/** Every bid on a resource: one a session at most, so the sessions with its forecasts. */
export const useResourceBids = (resourceId: string) =>
  useQuery({
    queryKey: ['market', 'bids', 'of', resourceId],
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(
          await api.GET('/api/market/bids', {
            params: { query: { resource_id: resourceId, limit: MAX_PAGE, cursor } },
          }),
        ),
      ),
  });

/** One session's forecast of a resource: 24 hours. */
export const useForecasts = (resourceId: string, sessionId: number | undefined) =>
  useQuery({
    queryKey: ['market', 'forecasts', resourceId, sessionId],
    enabled: sessionId !== undefined,
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(
          await api.GET('/api/market/forecasts', {
            params: { query: { resource_id: resourceId, session_id: sessionId!, limit: MAX_PAGE, cursor } },
          }),
        ),
      ),
  });

/** After a bid's payment is named: the bids and balances are read afresh. */
export const bidsChanged = (queries: QueryClient) => queries.invalidateQueries({ queryKey: ['market'] });
