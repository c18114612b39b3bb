// `tally check`: every module's invariants, proved from the database alone. The CLI, the
// simulation test and the soak run call this one list, so a new rule is checked everywhere.
import type { Db } from './platform/database.ts';
import type { Violation } from './platform/violation.ts';
import { checkRegistry } from './registry/index.ts';
import { checkCommunities } from './community/index.ts';
import { checkLedger } from './ledger/index.ts';
import { checkMarket } from './market/index.ts';
import { checkUploader } from './uploader/index.ts';
import { checkPublications } from './publications/index.ts';
import { checkStorage } from './storage/index.ts';
import { checkAccounts } from './accounts/index.ts';

export async function checkEverything(db: Db): Promise<Violation[]> {
  return [
    ...(await checkRegistry(db)),
    ...(await checkCommunities(db)),
    ...(await checkMarket(db)),
    ...(await checkUploader(db)),
    ...(await checkPublications(db)),
    ...(await checkStorage(db)),
    ...(await checkLedger(db)),
    ...(await checkAccounts(db)),
  ];
}
