// Where `tally ledger verify` reads an export from: a file, or an HTTP(S) URL of /api/ledger/export.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** The lines of an NDJSON export; `token` authorises a URL (an access token or API key). */
export async function* exportLines(source: string, token?: string): AsyncGenerator<string> {
  let input: NodeJS.ReadableStream;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok || !res.body) throw new Error(`${source} answered ${res.status}`);
    input = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  } else {
    input = createReadStream(source, 'utf8');
  }
  yield* createInterface({ input, crlfDelay: Infinity });
}
