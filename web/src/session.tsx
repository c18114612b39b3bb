// Signing in: the access and refresh tokens live in memory only (never in localStorage, where any
// script could read them). Each API call carries the access token, refreshed shortly before it
// expires (the refresh token works once and is replaced); a failed refresh, or a 401 on a fresh
// token (the session revoked), signs out. A reload signs out too, which is the price of keeping tokens out of storage.
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { api, problemText } from './api/client';

interface Tokens {
  access: string;
  refresh: string;
}

let tokens: Tokens | undefined;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<() => void>();
const changed = () => {
  for (const l of listeners) l();
};

/**
 * Trades the refresh token for new tokens. Plain fetch, not `api`: the client's middleware below
 * waits for this very refresh before sending anything.
 */
async function refresh(): Promise<boolean> {
  if (!tokens) return false;
  const answer = await fetch('/api/token/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: tokens.refresh }),
  });
  const fresh = answer.ok ? ((await answer.json()) as Tokens) : undefined;
  tokens = fresh && { access: fresh.access, refresh: fresh.refresh };
  changed();
  return fresh !== undefined;
}

/** When the access token stops working (its JWT `exp`), in ms; 0 when it cannot be read. */
function expiresAt(access: string): number {
  try {
    const payload = JSON.parse(atob(access.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return (payload.exp ?? 0) * 1000;
  } catch {
    return 0;
  }
}

/** Refresh this long before the access token expires, so no call is sent with a dead one. */
const EARLY_MS = 30_000;

/**
 * The Authorization header for a call, the access token refreshed first when about to expire;
 * undefined when signed out. Exported for the requests the client cannot send (an upload that
 * reports its progress goes by XMLHttpRequest).
 */
export async function authorization(): Promise<string | undefined> {
  if (tokens && expiresAt(tokens.access) - EARLY_MS < Date.now()) {
    // One refresh for however many calls found the token about to expire at once.
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  }
  return tokens && `Bearer ${tokens.access}`;
}

api.use({
  async onRequest({ request }) {
    const header = await authorization();
    if (header) request.headers.set('authorization', header);
    return request;
  },
  async onResponse({ response }) {
    // Refused although fresh: the session was revoked (a used refresh token, a deactivated user).
    if (response.status === 401 && tokens) signOut();
    return response;
  },
});

export async function signIn(email: string, password: string): Promise<string | undefined> {
  const { data, error } = await api.POST('/api/token', { body: { email, password } });
  if (!data) return problemText(error);
  tokens = { access: data.access, refresh: data.refresh };
  changed();
  return undefined;
}

export function signOut(): void {
  tokens = undefined;
  changed();
}

const Session = createContext(false);

/** Re-renders its children when the session starts or ends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(tokens !== undefined);
  useEffect(() => {
    const listener = () => setSignedIn(tokens !== undefined);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return <Session.Provider value={signedIn}>{children}</Session.Provider>;
}

export const useSignedIn = () => useContext(Session);
