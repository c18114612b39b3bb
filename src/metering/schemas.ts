// What metering points and readings look like to clients: the routes validate and document with
// these schemas, and points.ts, readings.ts, registers.ts and csv.ts take and return their static types.
import { type Static, Type, type TSchema } from 'typebox';
import { component, Content, Id, OneOf, PointId, Timestamp } from '../platform/http/schemas.ts';
import { MAX_UPLOAD_READINGS } from './limits.ts';
import { POINT_TYPES, QUALITIES } from './tables.ts';

const strict = { additionalProperties: false } as const;
const PointType = OneOf(POINT_TYPES, { description: 'production, consumption or storage' });
const POINT = '571313174000000042';
const created = '2026-06-01T08:00:00.000Z';

export const MeteringPoint = component(
  'MeteringPoint',
  Type.Object(
    {
      id: PointId,
      type: PointType,
      account_id: Id('Owning account'),
      device_id: Type.Union([Id('Device whose production this point measures'), Type.Null()]),
      grid_area: Type.Union([Type.String({ description: 'Grid area, e.g. DK1' }), Type.Null()]),
      time_zone: Type.String({ description: 'IANA time zone for local display' }),
      created_at: Timestamp('Registration time'),
      updated_at: Timestamp('Last change'),
    },
    {
      description: 'A metering point: where readings come from',
      examples: [
        {
          id: POINT,
          type: 'consumption',
          account_id: 2,
          device_id: null,
          grid_area: 'DK1',
          time_zone: 'Europe/Copenhagen',
          created_at: created,
          updated_at: created,
        },
      ],
    },
  ),
);
export type MeteringPointView = Static<typeof MeteringPoint>;

export const NewMeteringPoint = Type.Object(
  {
    id: PointId,
    type: PointType,
    account_id: Id('Owning account'),
    device_id: Type.Optional(Id('Device whose production this point measures')),
    grid_area: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid area, e.g. DK1' })),
    time_zone: Type.Optional(
      Type.String({ minLength: 1, description: 'IANA time zone for local display (default UTC)' }),
    ),
  },
  { ...strict, examples: [{ id: POINT, type: 'consumption', account_id: 2, grid_area: 'DK1' }] },
);
export type NewMeteringPoint = Static<typeof NewMeteringPoint>;

export const MeteringPointChange = Type.Object(
  {
    device_id: Type.Optional(
      Type.Union([Id('Device to link'), Type.Null()], { description: 'Device to link, or null to unlink' }),
    ),
    grid_area: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Grid area' })),
    time_zone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone' })),
  },
  { ...strict, examples: [{ time_zone: 'Europe/Copenhagen' }] },
);
export type MeteringPointChange = Static<typeof MeteringPointChange>;

export const READING_EXAMPLE = {
  interval_start_datetime: '2026-06-01T12:00:00Z',
  interval_end_datetime: '2026-06-01T12:15:00Z',
  interval_usage: 600,
};

export const ReadingJson = Type.Object(
  {
    interval_start_datetime: Timestamp('Start of the interval (UTC, inclusive), on a multiple of its length'),
    interval_end_datetime: Timestamp('End of the interval (UTC, exclusive): 15, 30 or 60 minutes after the start'),
    interval_usage: Type.Integer({
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Energy in whole Wh; negative only for storage points',
    }),
    quality: Type.Optional(OneOf(QUALITIES, { description: 'measured (default), estimated or revised' })),
  },
  strict,
);
// Strict objects refuse fields they do not list, so the multi-point reading is its own object, not an intersection.
export const ReadingJsonWithPoint = Type.Object({ ...ReadingJson.properties, metering_point_id: PointId }, strict);

export const ImportResult = component(
  'ImportResult',
  Type.Object(
    {
      inserted: Type.Integer({ description: 'New readings' }),
      unchanged: Type.Integer({ description: 'Readings sent again with the same value: nothing changed' }),
      revised: Type.Integer({ description: 'Readings whose value changed; the old value is kept as a revision' }),
    },
    { description: 'What the upload changed', examples: [{ inserted: 96, unchanged: 0, revised: 1 }] },
  ),
);
export type ImportResult = Static<typeof ImportResult>;

/** A readings upload, as JSON or as CSV; each reading names its point when `withPoint`. */
const readingsUpload = <R extends TSchema>(reading: R, withPoint: boolean) => {
  const point = withPoint ? { metering_point_id: POINT } : {};
  const csvPoint = withPoint ? ',metering_point_id' : '';
  return Content({
    'application/json': Type.Object(
      { readings: Type.Array(reading, { maxItems: MAX_UPLOAD_READINGS, description: 'Readings' }) },
      { ...strict, examples: [{ readings: [{ ...READING_EXAMPLE, ...point }] }] },
    ),
    'text/csv': Type.String({
      description: 'Readings as CSV',
      examples: [
        `interval_start_datetime,interval_end_datetime,interval_usage${csvPoint}\n` +
          `2026-06-01T12:00:00Z,2026-06-01T12:15:00Z,600${withPoint ? `,${POINT}` : ''}\n`,
      ],
    }),
  });
};
/** Readings of one metering point, the point named by the path. */
export const ReadingsUpload = readingsUpload(ReadingJson, false);
/** Readings of several metering points, each naming its own. */
export const ReadingsOfPointsUpload = readingsUpload(ReadingJsonWithPoint, true);

export const Reading = component(
  'Reading',
  Type.Object(
    {
      interval_start_datetime: Timestamp('Start'),
      interval_end_datetime: Timestamp('End'),
      interval_usage: Type.Integer({ description: 'Wh' }),
      quality: Type.String({ description: 'measured, estimated or revised' }),
      source: Type.String({ description: 'Where it came from: api, csv file, a DataHub source' }),
      revision: Type.Integer({ description: '0 for the first value, then one more per revision' }),
      issued: Type.Boolean({ description: 'Whether live certificates cover this interval' }),
      bundle_ids: Type.Array(Type.Integer(), { description: 'The bundles that do' }),
    },
    {
      description: 'A reading',
      examples: [
        {
          interval_start_datetime: '2026-06-01T12:00:00.000Z',
          interval_end_datetime: '2026-06-01T12:15:00.000Z',
          interval_usage: 600,
          quality: 'measured',
          source: 'api',
          revision: 0,
          issued: false,
          bundle_ids: [],
        },
      ],
    },
  ),
);

const Wh = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
export const RegisterReadingJson = Type.Object(
  {
    read_at: Timestamp('When the registers were read'),
    import_wh: Wh('Cumulative energy imported from the grid up to read_at, whole Wh'),
    export_wh: Wh('Cumulative energy exported to the grid up to read_at, whole Wh'),
  },
  strict,
);

export const RegisterReadingsUpload = Type.Object(
  {
    readings: Type.Array(RegisterReadingJson, {
      maxItems: 100_000,
      description: 'Register readings, each at its own read_at, in any order',
    }),
  },
  {
    ...strict,
    examples: [{ readings: [{ read_at: '2026-06-01T12:15:00Z', import_wh: 1520400, export_wh: 830250 }] }],
  },
);

export const RegisterImportResult = component(
  'RegisterImportResult',
  Type.Object(
    {
      inserted: Type.Integer({ description: 'New register readings' }),
      unchanged: Type.Integer({ description: 'Readings sent again with the same values: nothing changed' }),
    },
    { description: 'What the upload changed', examples: [{ inserted: 2, unchanged: 0 }] },
  ),
);
export type RegisterImportResult = Static<typeof RegisterImportResult>;

export const RegisterReading = component(
  'RegisterReading',
  Type.Object(
    {
      read_at: Timestamp('When the registers were read'),
      import_wh: Type.Integer({ description: 'Cumulative Wh imported up to read_at' }),
      export_wh: Type.Integer({ description: 'Cumulative Wh exported up to read_at' }),
      source: Type.String({ description: 'Where it came from, e.g. api' }),
      recorded_at: Timestamp('When Tally stored it'),
    },
    {
      description: 'A register reading',
      examples: [
        {
          read_at: '2026-06-01T12:15:00.000Z',
          import_wh: 1520400,
          export_wh: 830250,
          source: 'api',
          recorded_at: '2026-06-01T12:20:00.000Z',
        },
      ],
    },
  ),
);
