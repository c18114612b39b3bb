// What `tally check` proves of publications from their table and the ledger alone: each
// publication is what its one event recorded (published with a CID, or failed with a reason), so
// the CID and the SHA-256 the sealed ledger binds are the ones Tally shows. The CHECKs on the table
// hold the rest: a CID only with the uploader's 400, a failure exactly when there is no CID.
import { sql } from 'kysely';
import { agreesWithEvents, begunOnce, isoText, type Recorded } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';

const PUBLICATIONS: Recorded = {
  rule: 'publication_is_its_event',
  noun: 'publication',
  subject: 'publication',
  table: 'publications',
  key: 'id',
  creation: { rule: 'publication_recorded_once', types: ['publication.published', 'publication.failed'] },
  state: sql`to_jsonb(r) || jsonb_build_object('created_at', ${isoText('r.created_at')})`,
};

export async function checkPublications(db: Db): Promise<Violation[]> {
  return [...(await agreesWithEvents(db, PUBLICATIONS)), ...(await begunOnce(db, PUBLICATIONS))];
}
