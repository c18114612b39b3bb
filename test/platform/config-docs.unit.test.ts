// The configuration reference people read (.env.example, the README's table, the provider's table
// in docs/provider.md) says what the schemas say, and a drift is named by file.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driftedConfigDocs, writeConfigDocs } from '../../src/config-docs.ts';
import { configReference, loadConfig } from '../../src/platform/config.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const FILES = ['.env.example', 'README.md', 'docs/provider.md'];

describe('the configuration reference', () => {
  let copy: string | undefined;
  afterEach(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
    copy = undefined;
  });

  /** A scratch copy of the generated files, to change. */
  function scratch(): string {
    copy = mkdtempSync(join(tmpdir(), 'tally-config-docs-'));
    for (const f of FILES) cpSync(join(ROOT, f), join(copy, f));
    return copy;
  }

  it('is what the schemas say, in every file', () => {
    expect(driftedConfigDocs(ROOT)).toEqual([]);
  });

  it('names the file whose reference drifted, and --write mends it', () => {
    const dir = scratch();
    const readme = join(dir, 'README.md');
    writeFileSync(readme, readFileSync(readme, 'utf8').replace('| `3000` ', '| `3001` '));
    const env = join(dir, '.env.example');
    writeFileSync(env, readFileSync(env, 'utf8').replace('# PORT=3000', '# PORT=80'));
    expect(driftedConfigDocs(dir)).toEqual(['.env.example', 'README.md']);
    writeConfigDocs(dir);
    expect(driftedConfigDocs(dir)).toEqual([]);
  });

  it('documents the default loadConfig applies for every variable that has one', () => {
    const c = loadConfig({});
    const shown = Object.fromEntries(configReference().map((v) => [v.name, v.value]));
    expect([shown.PORT, shown.LOG_LEVEL, shown.TALLY_BODY_LIMIT, shown.TALLY_MARKET_FEE_PERCENT]).toEqual([
      String(c.port),
      c.logLevel,
      String(c.bodyLimit),
      String(c.market.feeBasisPoints / 100),
    ]);
    expect([shown.TALLY_REFRESH_TOKEN_TTL, shown.TALLY_UPLOADER_MAX_BYTES, shown.TALLY_MARKET_MIN_PAYMENT]).toEqual([
      String(c.refreshTokenTtl),
      String(c.uploader.maxBytes),
      String(c.market.minPayment),
    ]);
    // Every variable says what it is.
    expect(configReference().filter((v) => v.meaning === '')).toEqual([]);
  });
});
