// Publications: Tally puts a document on decentralised storage through its own uploader and keeps
// what that came to, with an event in the same transaction, so the sealed ledger binds the CID and
// the document's SHA-256 to what was published. Every attempt that reached a quote is recorded,
// failed ones with their reason; a request refused before that records nothing.
import { createHash, randomUUID } from 'node:crypto';
import { appendEvent } from '../ledger/index.ts';
import type { DisclosurePublication } from '../disclosure/index.ts';
import type { Db } from '../platform/database.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Principal } from '../platform/principal.ts';
import { documentOf } from './documents.ts';
import type { Publisher } from './publisher.ts';
import type { NewPublication, PublicationView } from './schemas.ts';
import { publication, type PublicationRow } from './tables.ts';

const view = (r: PublicationRow): PublicationView => ({
  id: r.id,
  kind: r.kind,
  subject_id: r.subject_id,
  storage_type: r.storage_type,
  quote_id: r.quote_id,
  status: r.status,
  cid: r.cid,
  sha256: r.sha256,
  bytes: r.bytes,
  file_name: r.file_name,
  failure: r.failure,
  published_by: r.published_by,
  created_at: r.created_at.toISOString(),
});

/** Publishes the document `input` names through `publisher` and records the outcome. */
export async function publish(
  db: Db,
  publisher: Publisher | undefined,
  principal: Principal,
  input: NewPublication,
  now: Date,
): Promise<PublicationView> {
  if (publisher === undefined)
    throw conflict('publisher_not_configured', 'set TALLY_PUBLISHER_PRIVATE_KEY for Tally to publish');
  const document = await documentOf(db, principal, input.kind, input.id, now);
  const upload = await publisher.upload(db, document, input.storage_type, now);
  return db.transaction().execute(async (trx) => {
    const row = await publication(trx)
      .insertInto('publications')
      .values({
        id: randomUUID(),
        kind: input.kind,
        subject_id: input.id,
        storage_type: input.storage_type,
        quote_id: upload.quoteId,
        status: upload.status,
        cid: upload.cid,
        sha256: createHash('sha256').update(document.bytes).digest('hex'),
        bytes: document.bytes.length,
        file_name: document.fileName,
        failure: upload.failure,
        published_by: principal.userId,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const published = view(row);
    await appendEvent(trx, {
      type: upload.cid === null ? 'publication.failed' : 'publication.published',
      subject_type: 'publication',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: published,
    });
    return published;
  });
}

export async function getPublication(db: Db, id: string): Promise<PublicationView> {
  const row = await publication(db).selectFrom('publications').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw notFound('publication', id);
  return view(row);
}

const byNewest = keyset({ t: 'time', id: /^[0-9a-f-]{36}$/ });

/** Publications newest first, of one kind and subject if named. */
export async function listPublications(
  db: Db,
  filter: { kind?: NewPublication['kind'] | undefined; subject_id?: string | undefined },
  page: PageRequest,
): Promise<Page<PublicationView>> {
  let query = publication(db).selectFrom('publications').selectAll();
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.subject_id !== undefined) query = query.where('subject_id', '=', filter.subject_id);
  const after = byNewest.after(page);
  if (after !== undefined)
    query = query.where((e) =>
      e.or([e('created_at', '<', after.t), e.and([e('created_at', '=', after.t), e('id', '<', after.id)])]),
    );
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return mapPage(
    byNewest.page(rows, page.limit, (r) => ({ t: r.created_at, id: r.id })),
    view,
  );
}

/** Where disclosure `id` is published (its copies the storage holds), newest first: the disclosure's JSON names them. */
export async function publicationsOfDisclosure(db: Db, id: string): Promise<DisclosurePublication[]> {
  const rows = await publication(db)
    .selectFrom('publications')
    .select(['id', 'cid', 'storage_type', 'sha256', 'created_at'])
    .where('kind', '=', 'disclosure')
    .where('subject_id', '=', id)
    .where('cid', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    publication_id: r.id,
    cid: r.cid as string,
    storage_type: r.storage_type,
    sha256: r.sha256,
    published_at: r.created_at.toISOString(),
  }));
}
