import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { importCertificates } from '../imports.ts';
import { type RawImportRow, importCsvRows } from '../import-rows.ts';
import { ImportAnswer, ImportQuery, ImportUpload } from '../import-schemas.ts';

/** The rows of an import, from either content type. */
const rowsOf = (body: string | { rows: RawImportRow['cells'][] }): RawImportRow[] =>
  typeof body === 'string' ? importCsvRows(body) : body.rows.map((cells, k) => ({ cells, at: `body/rows/${k}` }));

export async function importRoutes(app: App, ctx: AppContext): Promise<void> {
  // In a scope of its own: the CSV parser is this route's, and meets no other route's registration.
  await app.register(async (plugin) => {
    const scope = plugin as App;
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/certificates/import',
      {
        config: { access: ['issuer'] },
        schema: {
          operationId: 'importCertificates',
          tags: ['certificates'],
          summary: 'Import certificates issued by another registry (issuing body)',
          description:
            'Each row of the EnergyTag import template (CSV, or JSON rows with the same column names) is one ' +
            'bundle issued by `origin_registry`; it enters `account_id` as an active imported bundle that keeps ' +
            'its original ids and attributes, and then acts like any other (transfer, cancel, claim, withdraw). ' +
            'All or nothing: a bad row is refused naming its row and column. An origin range (registry, ' +
            'issuance_id, ids) is imported at most once: a row overlapping ids imported before answers 409 ' +
            '`already_imported`. One `certificates.imported` event records the import.',
          querystring: ImportQuery,
          body: ImportUpload,
          response: { 201: ImportAnswer },
          problems: [
            'invalid_csv',
            'invalid_import_row',
            'invalid_time_zone',
            'overlapping_ranges',
            'future_interval',
            'certificate_expired',
            'already_imported',
            'account_not_found',
            'account_closed',
          ],
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await importCertificates(
              request.db,
              caller(request),
              { ...request.query, rows: rowsOf(request.body) },
              ctx.clock.now(),
            ),
          ),
    );
  });
}
