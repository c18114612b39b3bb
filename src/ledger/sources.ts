// Where `tally ledger verify` reads from: an export in a file or at an HTTP(S) URL of
// /api/ledger/export, and that server's signed head and public keys next to it.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

export const isUrl = (source: string): boolean => /^https?:\/\//.test(source);

/** The lines of an NDJSON export; `token` authorises a URL (an access token or API key). */
export async function* exportLines(source: string, token?: string): AsyncGenerator<string> {
  let input: NodeJS.ReadableStream;
  if (isUrl(source)) {
    const res = await fetch(source, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok || !res.body) throw new Error(`${source} answered ${res.status}`);
    input = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  } else {
    input = createReadStream(source, 'utf8');
  }
  yield* createInterface({ input, crlfDelay: Infinity });
}

/**
 * A public ledger route beside an export URL (`head`, `keys`), resolved relative to it so a
 * server behind a path prefix works too; undefined when it answers 409 (nothing signed yet).
 */
export async function besideExport<T>(exportUrl: string, route: 'head' | 'keys'): Promise<T | undefined> {
  const url = new URL(route, exportUrl);
  const res = await fetch(url);
  if (res.status === 409) return undefined;
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}
