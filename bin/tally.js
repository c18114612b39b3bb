#!/usr/bin/env node
// Runs the built JavaScript in dist/, which `npm install` (and `npm ci`) builds through the `prepare` script:
// nothing compiles TypeScript while Tally runs. An install that skipped scripts builds it here, once.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tally: dist/ is missing; building it (npm run build)\n');
  try {
    execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url))], {
      stdio: ['ignore', process.stderr, 'inherit'],
    });
  } catch {
    process.stderr.write('tally: the build failed; `npm install` installs TypeScript and builds dist/\n');
    process.exit(1);
  }
}
// Traces, when a collector is named: before the CLI loads, so that node:http is instrumented as it
// loads (src/platform/telemetry.ts).
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT)
  await import(new URL('../dist/src/platform/telemetry.js', import.meta.url).href);
await import(cli.href);
