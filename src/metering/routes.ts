import { type Static, Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Page, PageQuery, PointId } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { ACTING_PROBLEMS } from '../accounts/index.ts';
import { groupByPoint, parseReadingsCsv, type ReadingInput } from './csv.ts';
import {
  createMeteringPoint,
  deleteMeteringPoint,
  getMeteringPoint,
  listMeteringPoints,
  updateMeteringPoint,
} from './points.ts';
import { importReadings, listReadings } from './readings.ts';
import { importRegisterReadings, listRegisterReadings } from './registers.ts';
import {
  ImportResult,
  MeteringPoint,
  MeteringPointChange,
  NewMeteringPoint,
  Reading,
  ReadingsOfPointsUpload,
  ReadingsUpload,
  RegisterImportResult,
  RegisterReading,
  RegisterReadingsUpload,
} from './schemas.ts';

const tags = ['metering'];
const strict = { additionalProperties: false } as const;
const POINT = '571313174000000042';
const PointParams = Type.Object({ id: { ...PointId, examples: [POINT] } }, strict);
/** A period in the query string, as the listing routes read it. */
const Period = (by: string) =>
  Type.Object(
    {
      from: Type.String({
        format: 'date-time',
        description: `From (inclusive), by ${by}`,
        examples: ['2026-06-01T00:00:00Z'],
      }),
      to: Type.String({ format: 'date-time', description: 'To (exclusive)', examples: ['2026-06-02T00:00:00Z'] }),
    },
    strict,
  );
/** Refusals of the readings in an upload, as csv.ts and readings.ts check them. */
const READING_PROBLEMS = [
  'invalid_reading',
  'overlapping_intervals',
  'overlapping_readings',
  'future_reading',
  'reading_issued',
  'invalid_csv',
  'too_many_rows',
  'metering_point_not_found',
  ...ACTING_PROBLEMS,
] as const;
const CSV_DESCRIPTION =
  'JSON `{readings: [...]}`, or `text/csv` with the header ' +
  '`interval_start_datetime,interval_end_datetime,interval_usage[,gross_net_indicator][,quality]`.';

/** The body of a readings upload, from either content type, as readings per metering point. */
function readingsOf(
  body: Static<typeof ReadingsUpload> | Static<typeof ReadingsOfPointsUpload>,
  pointId?: string,
): Map<string, ReadingInput[]> {
  const rows: ReadingInput[] =
    typeof body === 'string'
      ? parseReadingsCsv(body)
      : body.readings.map((r, k) => ({ ...r, at: `body/readings/${k}` }));
  return groupByPoint(rows, pointId);
}

export async function meteringRoutes(app: App, ctx: AppContext): Promise<void> {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/api/metering-points',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'registerMeteringPoint',
        tags,
        summary: 'Register a metering point',
        description:
          'In an account the caller may act on (an issuing body: ' +
          'any account). A linked device must belong to the same account.',
        body: NewMeteringPoint,
        response: { 201: MeteringPoint },
        problems: [
          'metering_point_exists',
          'invalid_time_zone',
          'device_not_found',
          'device_of_another_account',
          'consumption_point_with_device',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createMeteringPoint(request.db, caller(request), request.body)),
  );

  app.get(
    '/api/metering-points',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listMeteringPoints',
        tags,
        summary: 'Metering points the caller may read',
        description: 'Points of the accounts the caller may read, in id order.',
        querystring: Type.Object(
          {
            account_id: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Only points of this account',
                examples: [2],
              }),
            ),
            ...PageQuery,
          },
          strict,
        ),
        response: { 200: Page(MeteringPoint, 'Metering points in id order') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) =>
      listMeteringPoints(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
  );

  app.get(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getMeteringPoint',
        tags,
        summary: 'One metering point',
        description: 'A point of an account the caller may not read answers 404.',
        params: PointParams,
        response: { 200: MeteringPoint },
        problems: ['metering_point_not_found'],
      },
    },
    async (request) => getMeteringPoint(request.db, caller(request), request.params.id),
  );

  app.patch(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateMeteringPoint',
        tags,
        summary: 'Change a metering point',
        description: 'Link or unlink its device, or change its grid area or time zone.',
        params: PointParams,
        body: MeteringPointChange,
        response: { 200: MeteringPoint },
        problems: [
          'metering_point_not_found',
          'invalid_time_zone',
          'device_not_found',
          'device_of_another_account',
          'consumption_point_with_device',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request) =>
      updateMeteringPoint(request.db, caller(request), request.params.id, request.body, ctx.clock.now()),
  );

  app.delete(
    '/api/metering-points/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'deleteMeteringPoint',
        tags,
        summary: 'Remove a metering point registered by mistake',
        description:
          'Refused (409) once the point has interval or register readings: ' +
          'they and the certificates issued from them refer to it.',
        params: PointParams,
        response: { 200: MeteringPoint },
        problems: [
          'metering_point_not_found',
          'metering_point_has_readings',
          'metering_point_has_claims',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request) => deleteMeteringPoint(request.db, caller(request), request.params.id),
  );

  app.post(
    '/api/metering-points/:id/readings',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'uploadReadings',
        tags,
        summary: 'Upload readings of one metering point',
        description:
          `${CSV_DESCRIPTION} All or nothing. A reading sent again with the same value changes nothing; ` +
          'a changed value is a revision; revising an interval that has live certificates is refused ' +
          '(409 reading_issued) until the issuing body withdraws them.',
        params: PointParams,
        body: ReadingsUpload,
        response: { 200: ImportResult },
        problems: [...READING_PROBLEMS, 'other_metering_point'],
      },
    },
    async (request) =>
      importReadings(request.db, caller(request), readingsOf(request.body, request.params.id), 'api', ctx.clock.now()),
  );

  app.post(
    '/api/readings',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'uploadReadingsOfPoints',
        tags,
        summary: 'Upload readings of several metering points',
        description:
          `${CSV_DESCRIPTION} ` +
          'Each row also names its `metering_point_id`. ' +
          'All or nothing across every point.',
        body: ReadingsOfPointsUpload,
        response: { 200: ImportResult },
        problems: [...READING_PROBLEMS, 'metering_point_required'],
      },
    },
    async (request) => importReadings(request.db, caller(request), readingsOf(request.body), 'api', ctx.clock.now()),
  );

  app.get(
    '/api/metering-points/:id/readings',
    {
      config: { readOnly: true, access: 'user' },
      schema: {
        operationId: 'listReadings',
        tags,
        summary: 'Readings of a metering point, with their issuance state',
        description: 'Readings whose interval starts in [from, to), oldest first, with the bundles issued from them.',
        params: PointParams,
        querystring: Type.Object({ ...Period('interval start').properties, ...PageQuery }, strict),
        response: {
          200: Page(Reading, 'Readings in interval order'),
        },
        problems: ['metering_point_not_found', 'reversed_period', 'invalid_cursor'],
      },
    },
    async (request) =>
      listReadings(
        request.db,
        caller(request),
        request.params.id,
        new Date(request.query.from),
        new Date(request.query.to),
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.post(
    '/api/metering-points/:id/registers',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'uploadRegisterReadings',
        tags,
        summary: 'Upload cumulative register readings of one metering point',
        description:
          "Snapshots of the meter's cumulative import and export registers, all or nothing. " +
          'The same values sent again change nothing; other values at a stored read_at are ' +
          'refused (register_reading_exists), as registers are not revised; a register that ' +
          'would decrease in time is refused (register_decreased), naming the field.',
        params: PointParams,
        body: RegisterReadingsUpload,
        response: { 200: RegisterImportResult },
        problems: [
          'invalid_register_reading',
          'duplicate_register_reading',
          'register_reading_exists',
          'register_decreased',
          'metering_point_not_found',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request) =>
      importRegisterReadings(
        request.db,
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
        operationId: 'listRegisterReadings',
        tags,
        summary: 'Cumulative register readings of a metering point',
        description: 'Readings with read_at in [from, to), oldest first.',
        params: PointParams,
        querystring: Type.Object({ ...Period('read_at').properties, ...PageQuery }, strict),
        response: {
          200: Page(RegisterReading, 'Register readings, oldest first'),
        },
        problems: ['metering_point_not_found', 'reversed_period', 'invalid_cursor'],
      },
    },
    async (request) =>
      listRegisterReadings(
        request.db,
        caller(request),
        request.params.id,
        new Date(request.query.from),
        new Date(request.query.to),
        pageRequest(request.query, 'querystring'),
      ),
  );
}
