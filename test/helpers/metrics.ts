// Reading /metrics in tests. The counters of what a process did are shared by every server a test
// process starts (platform/metrics.ts), so tests compare a scrape after some work with one before.
import { expect } from 'vitest';
import type { TestServer } from './server.ts';

export type Labels = Record<string, string>;

/** Each series of a text exposition: its name, labels and value. */
export function parse(text: string): Array<{ name: string; labels: Labels; value: number }> {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The value of the one series named `name` with `labels` (among others), or undefined when there is none. */
export function value(text: string, name: string, labels: Labels = {}): number | undefined {
  const found = parse(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} series ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** The exposition /metrics answers, checked to be one. */
export async function scrape(s: TestServer, token?: string): Promise<string> {
  const r = await fetch(`${s.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

/** How much `name{labels}` grew across `work`. */
export async function delta(
  s: TestServer,
  name: string,
  labels: Labels,
  work: () => Promise<unknown>,
): Promise<number> {
  const before = value(await scrape(s), name, labels) ?? 0;
  await work();
  return (value(await scrape(s), name, labels) ?? 0) - before;
}
