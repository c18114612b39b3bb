// Schema pieces shared by every module's routes, so an id or a timestamp means the same everywhere.
import { Type, type TSchema } from 'typebox';

export const Id = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
/** PostgreSQL has no year 0; refusing it here keeps a 500 out of every route that stores a date. */
const NOT_YEAR_ZERO = '^(?!0000)';
/** Checked by platform/timestamp.ts (the `date-time` format of app.ts): a zone, no leap second, years 2000–9998. */
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
export const DateOnly = (description: string) => Type.String({ format: 'date', pattern: NOT_YEAR_ZERO, description });
/**
 * A metering point's id, as the metering_points table's CHECK allows it (test/check-constraints.test.ts);
 * also what a cursor may hold of one.
 */
export const POINT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';
export const PointId = Type.String({
  pattern: POINT_ID_PATTERN,
  description: 'Metering point id, e.g. an 18-digit GSRN',
});
/** An object schema option: unknown fields are refused, not ignored. */
export const strict = { additionalProperties: false } as const;
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const NullableId = (description: string) => Nullable(Id(description));
export const IdParams = Type.Object({ id: Id('The id in the path') }, { additionalProperties: false });

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URN naming the kind of problem' }),
    title: Type.String({ description: 'The HTTP status in words' }),
    status: Type.Integer({ description: 'The HTTP status code' }),
    code: Type.String({ description: 'A stable, machine-readable code, e.g. `invalid_status`' }),
    detail: Type.String({ description: 'What went wrong, for a person' }),
    instance: Type.String({ description: 'The request path' }),
    request_id: Type.String({ description: 'Quote this when reporting a problem' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where, e.g. `body/intervals/0/wh`' }),
          message: Type.String(),
        }),
        { description: 'The fields at fault' },
      ),
    ),
  },
  { description: 'RFC 9457 problem details' },
);

/** Standard error answers, so each route's OpenAPI lists what it may refuse with. */
export function withProblems(
  responses: Record<number, TSchema>,
  statuses: number[] = [400, 401, 403, 404, 409, 422],
): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...responses };
  for (const s of statuses) out[s] = ProblemSchema;
  return out;
}

export const Page = <T extends TSchema>(item: T, description: string) =>
  Type.Object({
    items: Type.Array(item, { description }),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` to get the next page; null on the last page',
    }),
  });

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Page size, at most 1000' }),
  ),
  cursor: Type.Optional(Type.String({ description: 'The `next_cursor` of the previous page' })),
};
