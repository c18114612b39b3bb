// The documents Tally publishes, each as its public JSON stands at publication: a disclosure's
// dataset, a sealed ledger block as `tally ledger export` writes it (header, events in leaf order,
// leaf hashes, signed head), and a market session's forecasts. Who may publish what is decided here.
import { disclosureDataset, disclosureOwner } from '../disclosure/index.ts';
import { exportBlock } from '../ledger/index.ts';
import { type ForecastView, getSession, listForecasts } from '../market/index.ts';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, forbidden, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import type { PublishedDocument } from './publisher.ts';
import type { PublicationKind } from './tables.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POSITIVE = /^[1-9][0-9]{0,14}$/;

/** The issuing body and admins publish anything; a disclosure's owner publishes that disclosure. */
const publishesAll = (p: Principal) => p.role === 'admin' || p.role === 'issuer';

const json = (value: unknown, fileName: string): PublishedDocument => ({
  bytes: Buffer.from(JSON.stringify(value), 'utf8'),
  fileName,
  contentType: 'application/json',
});

/** A whole number id from `id`, or a 400 naming the field. */
function wholeId(id: string, what: string): number {
  if (!POSITIVE.test(id)) throw badRequest('invalid_request', `id: a ${what} is a whole number from 1`, 'body/id');
  return Number(id);
}

/** The document `kind` `id` names as it stands `now`, if `principal` may publish it. */
export async function documentOf(
  db: Db,
  principal: Principal,
  kind: PublicationKind,
  id: string,
  now: Date,
): Promise<PublishedDocument> {
  if (kind === 'disclosure') {
    if (!UUID.test(id)) throw badRequest('invalid_request', 'id: a disclosure id is a UUID', 'body/id');
    const owner = await disclosureOwner(db, id);
    if (!publishesAll(principal) && principal.userId !== owner)
      throw forbidden('role_required', 'a disclosure is published by its owner, an issuer or an admin');
    return json(await disclosureDataset(db, id, now), `disclosure-${id}.json`);
  }
  if (!publishesAll(principal)) throw forbidden('role_required', `a ${kind} is published by an issuer or an admin`);
  if (kind === 'ledger_block') {
    const height = wholeId(id, 'block height');
    const block = await exportBlock(db, height);
    if (block === undefined) throw notFound('ledger_block', height);
    return json(block, `ledger-block-${height}.json`);
  }
  const sessionId = wholeId(id, 'session id');
  await getSession(db, sessionId);
  const forecasts: ForecastView[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await listForecasts(
      db,
      principal,
      { session_id: sessionId },
      { limit: 1000, cursor, field: 'cursor' },
    );
    forecasts.push(...page.items);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  if (forecasts.length === 0) throw conflict('nothing_to_publish', `session ${sessionId} made no forecasts`);
  return json({ session_id: sessionId, forecasts }, `market-session-${sessionId}-forecasts.json`);
}
