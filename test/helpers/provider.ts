// The reference storage provider started in this process on a free loopback port, over a fresh
// temporary data directory (or a given one, to start it again on the same state).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProviderConfig, type RunningProvider, startProvider } from '../../src/provider/index.ts';

/** Hardhat's account #5: a published test key, never for anything but a test. */
export const PROVIDER_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba' as const;

export function providerConfig(dataDir: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    url: undefined,
    uploaderUrl: undefined,
    privateKey: PROVIDER_KEY,
    type: 'ipfs',
    description: 'test provider',
    dataDir,
    logLevel: 'silent',
    chain: undefined,
    tokens: [],
    price: 0n,
    registerIntervalMs: 60_000,
    ...overrides,
  };
}

export async function temporaryDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'tally-provider-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function startTestProvider(
  dataDir: string,
  overrides: Partial<ProviderConfig> = {},
): Promise<RunningProvider> {
  return startProvider(providerConfig(dataDir, overrides));
}

/** Every file under `dir` (recursively), as relative paths: what the provider keeps on disk. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** An upload's body: file1…fileN as Blob parts, in order. */
export function filesForm(files: { bytes: Uint8Array; type?: string }[]): FormData {
  const form = new FormData();
  for (const [i, f] of files.entries())
    form.append(`file${i + 1}`, new Blob([f.bytes], { type: f.type ?? '' }), `f${i + 1}`);
  return form;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
