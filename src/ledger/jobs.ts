// The ledger's periodic job: seal what has committed since the last block.
import type { Db } from '../platform/database.ts';
import { runAsLeader, type Job } from '../platform/jobs.ts';
import { sealAll } from './seal.ts';

export const SEAL_JOB: Job = { name: 'seal-ledger', run: async (trx, now) => (await sealAll(trx, now)).events };

/** One sealing run on demand, as the job's leader: if another instance is sealing, this seals nothing. */
export async function sealNow(db: Db): Promise<{ blocks: number; events: number }> {
  let sealed = { blocks: 0, events: 0 };
  await runAsLeader(db, { name: SEAL_JOB.name, run: async (trx, now) => (sealed = await sealAll(trx, now)).events });
  return sealed;
}
