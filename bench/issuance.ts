// Bulk issuance: bundles per second through the registry's issueCertificates against a plain COPY
// of the same bundle rows into the same table. Rounds alternate the two, so both write into a
// table of about the same size and share whatever else the machine is doing at the time.
import type { BundleView } from '../src/registry/bundles.ts';
import { issueCertificates } from '../src/registry/issuance.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { BenchTarget } from './target.ts';
import { fmt, timed, type ReportRow } from './measure.ts';
import { intervalsOf, issuancePlan, type BenchWorld, type IssuanceCall } from './world.ts';

export const BATCH = 5_000;
/** Issue 15's goal: bulk issuance at 0.7 of a bare COPY of the same bundle rows. */
const TARGET_RATIO = 0.7;
/** Issuance calls per round; each round is then copied once. */
const CALLS_PER_ROUND = 10;
/** The columns Tally's own issuance writes; the rest are defaults or generated. */
const COPY_COLUMNS = [
  'issuance_id',
  'device_id',
  'account_id',
  'certificate_bundle_id_range_start',
  'certificate_bundle_id_range_end',
  'energy_source',
  'production_starting_interval',
  'production_ending_interval',
  'issuance_datestamp',
  'expiry_datestamp',
] as const;

/**
 * The same bundle as a CSV line, held by the device's twin in the baseline account (the unique
 * (device, range start) forbids a second copy on the same device).
 */
function csvLine(b: BundleView, twinId: number, baselineAccount: number): string {
  return [
    b.issuance_id,
    twinId,
    baselineAccount,
    b.certificate_bundle_id_range_start,
    b.certificate_bundle_id_range_end,
    b.energy_source,
    b.production_starting_interval,
    b.production_ending_interval,
    b.issuance_datestamp,
    b.expiry_datestamp,
  ].join(',');
}

export interface IssuanceResult {
  bundles: number;
  registryMs: number;
  copyMs: number;
  rounds: number;
}

/** Issues one round through the registry (timed call by call), then copies the same rows (timed). */
async function round(target: BenchTarget, world: BenchWorld, calls: IssuanceCall[], lifetimeDays: number) {
  let registryMs = 0;
  const lines: string[] = [];
  for (const call of calls) {
    const request = { device_id: world.devices[call.device]!, intervals: intervalsOf(call) };
    const issued = await timed(() =>
      issueCertificates(target.database.kysely, world.issuer, request, lifetimeDays, systemClock.now()),
    );
    registryMs += issued.ms;
    for (const b of issued.value) lines.push(csvLine(b, world.twins[call.device]!, world.baselineAccount));
  }
  const csv = `${lines.join('\n')}\n`;
  const copy = await timed(() => target.database.copyCsv('bundles', COPY_COLUMNS, csv));
  return { bundles: lines.length, registryMs, copyMs: copy.ms };
}

/** Issues `total` bundles whose production ends by `end`, copying each round's rows after it. */
export async function benchIssuance(
  target: BenchTarget,
  world: BenchWorld,
  total: number,
  end: number,
  lifetimeDays: number,
  log: (line: string) => void,
): Promise<IssuanceResult> {
  const plan = issuancePlan(total, world.devices.length, BATCH, end);
  const result: IssuanceResult = { bundles: 0, registryMs: 0, copyMs: 0, rounds: 0 };
  for (let i = 0; i < plan.length; i += CALLS_PER_ROUND) {
    const r = await round(target, world, plan.slice(i, i + CALLS_PER_ROUND), lifetimeDays);
    result.bundles += r.bundles;
    result.registryMs += r.registryMs;
    result.copyMs += r.copyMs;
    result.rounds++;
    log(
      `  issuance round ${result.rounds}: ${fmt(r.bundles)} bundles, registry ` +
        `${fmt(r.bundles / (r.registryMs / 1000))}/s, COPY ${fmt(r.bundles / (r.copyMs / 1000))}/s`,
    );
  }
  return result;
}

export function issuanceRow(r: IssuanceResult): ReportRow {
  const registryRate = r.bundles / (r.registryMs / 1000);
  const copyRate = r.bundles / (r.copyMs / 1000);
  const ratio = registryRate / copyRate;
  return {
    benchmark: `issuance (${fmt(r.bundles)} bundles, ${fmt(BATCH)}/call)`,
    tally: `${fmt(registryRate)} bundles/s`,
    baseline: `${fmt(copyRate)} bundles/s (COPY)`,
    ratio: `${fmt(ratio, 2)} × COPY`,
    target: `≥ ${fmt(TARGET_RATIO, 2)} × COPY`,
    met: ratio >= TARGET_RATIO,
  };
}
