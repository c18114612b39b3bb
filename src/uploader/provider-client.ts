// Calls to a storage provider's HTTP API (the reference provider's and any other's):
// POST /getQuote, POST /upload?quoteId (multipart, streamed through), GET /getStatus?quoteId,
// GET /getLink?quoteId. Anything but the documented answer is the provider failing (502).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { providerFailed } from './errors.ts';

/** How long a provider has to answer anything but an upload. */
const TIMEOUT_MS = 10_000;

async function json(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw providerFailed(`the storage provider did not answer: ${(err as Error).message}`);
  }
  return answer(res.status, await res.text());
}

function answer(status: number, text: string): { status: number; body: unknown } {
  try {
    return { status, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    throw providerFailed(`the storage provider answered ${status} with no JSON`);
  }
}

const withQuote = (base: string, path: string, quoteId: string) =>
  `${base}${path}?quoteId=${encodeURIComponent(quoteId)}`;

export interface ProviderQuote {
  quoteId: string;
  tokenAmount: string;
  approveAddress: string;
  chainId: number;
  tokenAddress: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function askQuote(base: string, request: unknown): Promise<ProviderQuote> {
  const { status, body } = await json(`${base}/getQuote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (status !== 200 && status !== 201) throw providerFailed(`the storage provider refused the quote (${status})`);
  if (
    !isRecord(body) ||
    typeof body.quoteId !== 'string' ||
    body.quoteId === '' ||
    typeof body.tokenAmount !== 'string' ||
    !/^[0-9]{1,78}$/.test(body.tokenAmount) ||
    typeof body.approveAddress !== 'string' ||
    !Number.isSafeInteger(Number(body.chainId)) ||
    typeof body.tokenAddress !== 'string'
  )
    throw providerFailed('the storage provider answered a malformed quote');
  return {
    quoteId: body.quoteId,
    tokenAmount: body.tokenAmount,
    approveAddress: body.approveAddress,
    chainId: Number(body.chainId),
    tokenAddress: body.tokenAddress,
  };
}

/** The status a status answer carries, if it is one of Ocean's (1–499). */
const statusOf = (body: unknown): number | undefined =>
  isRecord(body) && Number.isInteger(body.status) && (body.status as number) >= 1 && (body.status as number) <= 499
    ? (body.status as number)
    : undefined;

/**
 * Streams a multipart body to the provider's upload; answers the final status it reports (400 done,
 * 401–499 failed). No timeout: a large upload takes as long as it takes. Sent with node:http, not
 * fetch: each chunk read from the client's socket is written to the provider's as it is, and the
 * next is read only once the provider's socket has taken it. fetch's body stream copied every chunk
 * into a new array, which cost most of the upload's time and left a gigabyte of garbage per gigabyte.
 */
export async function sendFiles(
  base: string,
  quoteId: string,
  body: AsyncIterable<Uint8Array>,
  contentType: string,
): Promise<number> {
  const url = new URL(withQuote(base, '/upload', quoteId));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let reply: { status: number; text: string };
  try {
    reply = await new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers: { 'content-type': contentType } }, (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      pipeline(body, req).catch(reject);
    });
  } catch (err) {
    throw providerFailed(`the storage provider did not answer: ${(err as Error).message}`);
  }
  const status = statusOf(answer(reply.status, reply.text).body);
  if (status === undefined) throw providerFailed('the storage provider answered the upload with no status');
  return status;
}

export async function askStatus(base: string, quoteId: string): Promise<number | undefined> {
  const { status, body } = await json(withQuote(base, '/getStatus', quoteId), { method: 'GET' });
  return status === 200 ? statusOf(body) : undefined;
}

export interface Link {
  type: string;
  CID: string;
}

export async function askLinks(base: string, quoteId: string): Promise<Link[]> {
  const { status, body } = await json(withQuote(base, '/getLink', quoteId), { method: 'GET' });
  if (status !== 200 || !Array.isArray(body) || !body.every((l) => isRecord(l) && typeof l.CID === 'string'))
    throw providerFailed(`the storage provider gave no links (${status})`);
  return body as Link[];
}
