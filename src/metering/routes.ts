import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, Timestamp, withProblems, PointId } from '../platform/http/schemas.ts';
import { groupByPoint, MAX_UPLOAD_READINGS, parseReadingsCsv, type ReadingInput } from './csv.ts';
import {
  createMeteringPoint,
  deleteMeteringPoint,
  getMeteringPoint,
  listMeteringPoints,
  updateMeteringPoint,
} from './points.ts';
import { importReadings, listReadings } from './readings.ts';
import { importRegisterReadings, listRegisterReadings } from './registers.ts';
import { POINT_TYPES, QUALITIES } from './tables.ts';

const tags = ['metering'];
const strict = { additionalProperties: false } as const;
const PointParams = Type.Object({ id: PointId }, strict);
const MeteringPoint = Type.Object({
  id: PointId,
  type: Type.Union(
    POINT_TYPES.map((t) => Type.Literal(t)),
    { description: 'production, consumption or storage' },
  ),
  account_id: Id('Owning account'),
  device_id: Type.Union([Id('Device whose production this point measures'), Type.Null()]),
  grid_area: Type.Union([Type.String({ description: 'Grid area, e.g. DK1' }), Type.Null()]),
  time_zone: Type.String({ description: 'IANA time zone for local display' }),
  created_at: Timestamp('Registration time'),
  updated_at: Timestamp('Last change'),
});
const ReadingJson = Type.Object(
  {
    interval_start_datetime: Timestamp('Start of the interval (UTC, inclusive), on a multiple of its length'),
    interval_end_datetime: Timestamp('End of the interval (UTC, exclusive): 15, 30 or 60 minutes after the start'),
    interval_usage: Type.Integer({
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Energy in whole Wh; negative only for storage points',
    }),
    quality: Type.Optional(
      Type.Union(
        QUALITIES.map((q) => Type.Literal(q)),
        { description: 'measured (default), estimated or revised' },
      ),
    ),
  },
  strict,
);
// Strict objects refuse fields they do not list, so the multi-point reading is its own object, not an intersection.
const ReadingJsonWithPoint = Type.Object({ ...ReadingJson.properties, metering_point_id: PointId }, strict);
const ImportResult = Type.Object({
  inserted: Type.Integer({ description: 'New readings' }),
  unchanged: Type.Integer({ description: 'Readings sent again with the same value: nothing changed' }),
  revised: Type.Integer({ description: 'Readings whose value changed; the old value is kept as a revision' }),
});
const Wh = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const RegisterReadingJson = Type.Object(
  {
    read_at: Timestamp('When the registers were read'),
    import_wh: Wh('Cumulative energy imported from the grid up to read_at, whole Wh'),
    export_wh: Wh('Cumulative energy exported to the grid up to read_at, whole Wh'),
  },
  strict,
);
const RegisterImportResult = Type.Object({
  inserted: Type.Integer({ description: 'New register readings' }),
  unchanged: Type.Integer({ description: 'Readings sent again with the same values: nothing changed' }),
});
const CSV_DESCRIPTION =
  'JSON `{readings: [...]}`, or `text/csv` with the header `interval_start_datetime,interval_end_datetime,interval_usage[,gross_net_indicator][,quality]`.';

/** The body of a readings upload, from either content type, as readings per metering point. */
function readingsOf(body: unknown, pointId?: string): Map<string, ReadingInput[]> {
  const rows: ReadingInput[] =
    typeof body === 'string'
      ? parseReadingsCsv(body)
      : (body as { readings: Omit<ReadingInput, 'at'>[] }).readings.map((r, k) => ({ ...r, at: `body/readings/${k}` }));
  return groupByPoint(rows, pointId);
}

export async function meteringRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/api/metering-points',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Register a metering point',
        description:
          'In an account the caller may act on (an issuing body: any account). A linked device must belong to the same account.',
        body: Type.Object(
          {
            id: PointId,
            type: Type.Union(
              POINT_TYPES.map((t) => Type.Literal(t)),
              { description: 'production, consumption or storage' },
            ),
            account_id: Id('Owning account'),
            device_id: Type.Optional(Id('Device whose production this point measures')),
            grid_area: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid area, e.g. DK1' })),
            time_zone: Type.Optional(
              Type.String({ minLength: 1, description: 'IANA time zone for local display (default UTC)' }),
            ),
          },
          strict,
        ),
        response: withProblems({ 201: MeteringPoint }),
      },
    },
    async (request, reply) => reply.status(201).send(await createMeteringPoint(db, caller(request), request.body)),
  );

  app.get(
    '/api/metering-points',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Metering points the caller may read',
        querystring: Type.Object({ account_id: Type.Optional(Id('Only points of this account')) }, strict),
        response: withProblems({ 200: Type.Object({ items: Type.Array(MeteringPoint) }) }, [400, 401]),
      },
    },
    async (request) => ({ items: await listMeteringPoints(db, caller(request), request.query) }),
  );

  app.get(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'One metering point',
        params: PointParams,
        response: withProblems({ 200: MeteringPoint }, [401, 404]),
      },
    },
    async (request) => getMeteringPoint(db, caller(request), request.params.id),
  );

  app.patch(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Change a metering point',
        params: PointParams,
        body: Type.Object(
          {
            device_id: Type.Optional(
              Type.Union([Id('Device to link'), Type.Null()], { description: 'Device to link, or null to unlink' }),
            ),
            grid_area: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid area' })),
            time_zone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone' })),
          },
          strict,
        ),
        response: withProblems({ 200: MeteringPoint }),
      },
    },
    async (request) => updateMeteringPoint(db, caller(request), request.params.id, request.body, ctx.clock.now()),
  );

  app.delete(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Remove a metering point registered by mistake',
        description:
          'Refused (409) once the point has interval or register readings: they and the certificates issued from them refer to it.',
        params: PointParams,
        response: withProblems({ 200: MeteringPoint }, [401, 403, 404, 409]),
      },
    },
    async (request) => deleteMeteringPoint(db, caller(request), request.params.id),
  );

  const uploadBody = (withPoint: boolean) => ({
    content: {
      'application/json': {
        schema: Type.Object(
          {
            readings: Type.Array(withPoint ? ReadingJsonWithPoint : ReadingJson, {
              maxItems: MAX_UPLOAD_READINGS,
              description: 'Readings',
            }),
          },
          strict,
        ),
      },
      'text/csv': { schema: Type.String({ description: 'Readings as CSV' }) },
    },
  });

  app.post(
    '/api/metering-points/:id/readings',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Upload readings of one metering point',
        description: `${CSV_DESCRIPTION} All or nothing. A reading sent again with the same value changes nothing; a changed value is a revision; revising an interval that has live certificates is refused (409 reading_issued) until the issuing body withdraws them.`,
        params: PointParams,
        body: uploadBody(false) as never,
        response: withProblems({ 200: ImportResult }),
      },
    },
    async (request) =>
      importReadings(db, caller(request), readingsOf(request.body, request.params.id), 'api', ctx.clock.now()),
  );

  app.post(
    '/api/readings',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Upload readings of several metering points',
        description: `${CSV_DESCRIPTION} Each row also names its \`metering_point_id\`. All or nothing across every point.`,
        body: uploadBody(true) as never,
        response: withProblems({ 200: ImportResult }),
      },
    },
    async (request) => importReadings(db, caller(request), readingsOf(request.body), 'api', ctx.clock.now()),
  );

  app.get(
    '/api/metering-points/:id/readings',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Readings of a metering point, with their issuance state',
        params: PointParams,
        querystring: Type.Object(
          { from: Timestamp('From (inclusive), by interval start'), to: Timestamp('To (exclusive)') },
          strict,
        ),
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  interval_start_datetime: Timestamp('Start'),
                  interval_end_datetime: Timestamp('End'),
                  interval_usage: Type.Integer({ description: 'Wh' }),
                  quality: Type.String({ description: 'measured, estimated or revised' }),
                  source: Type.String({ description: 'Where it came from: api, csv file, a DataHub source' }),
                  revision: Type.Integer({ description: '0 for the first value, then one more per revision' }),
                  issued: Type.Boolean({ description: 'Whether live certificates cover this interval' }),
                  bundle_ids: Type.Array(Type.Integer(), { description: 'The bundles that do' }),
                }),
              ),
            }),
          },
          [400, 401, 404],
        ),
      },
    },
    async (request) => ({
      items: await listReadings(
        db,
        caller(request),
        request.params.id,
        new Date(request.query.from),
        new Date(request.query.to),
      ),
    }),
  );

  app.post(
    '/api/metering-points/:id/registers',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Upload cumulative register readings of one metering point',
        description:
          "Snapshots of the meter's cumulative import and export registers, as JSON `{readings: [...]}`. All or nothing, with the access of interval readings. A reading sent again with the same values changes nothing; different values at a stored read_at are refused (409 register_reading_exists), as readings are not revised; a register that would decrease in time, within the request or against the stored readings, is refused (422 register_decreased) naming the field.",
        params: PointParams,
        body: Type.Object(
          {
            readings: Type.Array(RegisterReadingJson, {
              maxItems: 100_000,
              description: 'Register readings, each at its own read_at, in any order',
            }),
          },
          strict,
        ),
        response: withProblems({ 200: RegisterImportResult }),
      },
    },
    async (request) =>
      importRegisterReadings(
        db,
        caller(request),
        request.params.id,
        request.body.readings.map((r, k) => ({ ...r, at: `body/readings/${k}` })),
        'api',
      ),
  );

  app.get(
    '/api/metering-points/:id/registers',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Cumulative register readings of a metering point',
        description: 'Readings with read_at in [from, to), oldest first.',
        params: PointParams,
        querystring: Type.Object(
          { from: Timestamp('From (inclusive), by read_at'), to: Timestamp('To (exclusive)') },
          strict,
        ),
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  read_at: Timestamp('When the registers were read'),
                  import_wh: Type.Integer({ description: 'Cumulative Wh imported up to read_at' }),
                  export_wh: Type.Integer({ description: 'Cumulative Wh exported up to read_at' }),
                  source: Type.String({ description: 'Where it came from, e.g. api' }),
                  recorded_at: Timestamp('When Tally stored it'),
                }),
                { description: 'Register readings, oldest first' },
              ),
            }),
          },
          [400, 401, 404],
        ),
      },
    },
    async (request) => ({
      items: await listRegisterReadings(
        db,
        caller(request),
        request.params.id,
        new Date(request.query.from),
        new Date(request.query.to),
      ),
    }),
  );
}
