// The ledger's periodic job: seal what has committed since the last block and sign the new heads.
import type { KeyObject } from 'node:crypto';
import type { Db } from '../platform/database.ts';
import { runAsLeader, type Job } from '../platform/jobs.ts';
import { ledgerSigner, signHeads } from './heads.ts';
import { sealAll } from './seal.ts';

const SEAL = 'seal-ledger';

/** Seals and signs in the same transaction, so no committed block is ever left without its signed head. */
async function sealAndSign(
  trx: Db,
  key: KeyObject | undefined,
  now: Date,
): Promise<{ blocks: number; events: number }> {
  const sealed = await sealAll(trx, now);
  await signHeads(trx, () => ledgerSigner(trx, key));
  return sealed;
}

/** The job; `key` is the configured signing key (TALLY_LEDGER_KEY), or undefined for the generated one. */
export const sealJob = (key: KeyObject | undefined): Job => ({
  name: SEAL,
  run: async (trx, now) => (await sealAndSign(trx, key, now)).events,
});

/** One sealing run on demand, as of `now`, as the job's leader: if another instance is sealing, this seals nothing. */
export async function sealNow(
  db: Db,
  key: KeyObject | undefined,
  now: Date,
): Promise<{ blocks: number; events: number }> {
  let sealed = { blocks: 0, events: 0 };
  await runAsLeader(
    db,
    {
      name: SEAL,
      run: async (trx, at) => {
        sealed = await sealAndSign(trx, key, at);
        return sealed.events;
      },
    },
    now,
  );
  return sealed;
}
