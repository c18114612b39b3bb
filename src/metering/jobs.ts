// The metering module's periodic jobs: one DataHub sync per configured source.
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Job } from '../platform/jobs.ts';
import { eloverblikSource } from './sources/eloverblik.ts';
import { syncSource } from './sources/sync.ts';

/** Long enough for a slow sync; a crashed holder's lease lapses after this. */
const SYNC_LEASE_MS = 15 * 60_000;

export const meteringJobs = (config: Config, clock: Clock): Job[] =>
  config.datahubSources.map((cfg) => {
    const source = eloverblikSource(cfg, { clock });
    return {
      name: `datahub-sync:${cfg.name}`,
      leaseMs: SYNC_LEASE_MS,
      run: async (db, now) => (await syncSource(db, source, now)).inserted,
    };
  });
