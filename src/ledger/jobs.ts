// The ledger's periodic job: seal what has committed since the last block.
import type { Job } from '../platform/jobs.ts';
import { sealAll } from './seal.ts';

export const SEAL_JOB: Job = { name: 'seal-ledger', run: async (trx, now) => (await sealAll(trx, now)).events };
