// Schema pieces shared by every module's routes, so an id or a timestamp means the same everywhere.
import { type Static, Type, type TSchema } from 'typebox';
import type { CodeWithStatus } from '../problem-codes.ts';

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
/**
 * One of a list of constants: a union of literals, so a wrong value is reported as before, typed
 * as the list's values (TypeBox infers nothing from a union built by map).
 */
export const OneOf = <const V extends readonly string[]>(
  values: V,
  options: { description: string; default?: V[number]; examples?: V[number][] },
) =>
  Type.Unsafe<V[number]>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      options,
    ),
  );

/** An object schema option: unknown fields are refused, not ignored. */
export const strict = { additionalProperties: false } as const;
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const NullableId = (description: string) => Nullable(Id(description));

export const IdParams = Type.Object(
  {
    id: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      examples: [1],
    }),
  },
  { additionalProperties: false },
);

/**
 * Marks a schema the OpenAPI document shows once, as `components.schemas[name]`, and references
 * wherever an answer holds it (openapi.ts). Validation and serialisation see the schema itself.
 */
export const COMPONENT = 'x-component';
export function component<T extends TSchema>(name: string, schema: T): T {
  (schema as TSchema & Record<string, unknown>)[COMPONENT] = name;
  return schema;
}

/**
 * A required field whose absence answers with its own code (problems.ts) instead of
 * `invalid_request`, as it did when the code, not the schema, required it.
 */
export const MISSING_CODE = 'x-missing-code';
export function requiredAs<T extends TSchema>(code: CodeWithStatus<400>, schema: T): T {
  (schema as TSchema & Record<string, unknown>)[MISSING_CODE] = code;
  return schema;
}

/** The first example of a schema, for the examples of the schemas built from it. */
const exampleOf = (schema: TSchema): unknown => (schema as { examples?: unknown[] }).examples?.[0];
/** `examples` holding `make(example of item)`, when the item has one and is not a component (which shows its own). */
const examplesFrom = (item: TSchema, make: (example: unknown) => unknown) => {
  const example = exampleOf(item);
  const shown = (item as TSchema & Record<string, unknown>)[COMPONENT] !== undefined;
  return example === undefined || shown ? {} : { examples: [make(example)] };
};

export const ProblemSchema = component(
  'Problem',
  Type.Object(
    {
      type: Type.String({ description: 'A URN naming the kind of problem: `urn:tally:problem:` and the code' }),
      title: Type.String({ description: 'The HTTP status in words' }),
      status: Type.Integer({ description: 'The HTTP status code' }),
      code: Type.String({
        description: 'A stable, machine-readable code, e.g. `invalid_status`; each answer lists those it may carry',
      }),
      detail: Type.String({ description: 'What went wrong, for a person' }),
      instance: Type.String({ description: 'The request path' }),
      request_id: Type.String({ description: 'Quote this when reporting a problem' }),
      errors: Type.Optional(
        Type.Array(
          Type.Object({
            field: Type.String({ description: 'Where, e.g. `body/intervals/0/wh`' }),
            message: Type.String({ description: 'What is wrong with it' }),
          }),
          { description: 'The fields at fault' },
        ),
      ),
    },
    {
      description: 'RFC 9457 problem details',
      examples: [
        {
          type: 'urn:tally:problem:transfer_not_accepted',
          title: 'Unprocessable Content',
          status: 422,
          code: 'transfer_not_accepted',
          detail: 'account 3 does not accept transfers from account 2; it must add it to its whitelist',
          instance: '/api/certificates/transfer',
          request_id: '7d0f6f5e-3c1b-4a8e-9f57-2f1f3c9d8b21',
          errors: [
            {
              field: 'body/target_id',
              message: 'account 3 does not accept transfers from account 2; it must add it to its whitelist',
            },
          ],
        },
      ],
    },
  ),
);

/** A list answer, `{ items }`; its example holds the item's example. */
export const Items = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    { items: Type.Array(item, { description }) },
    { description, ...examplesFrom(item, (x) => ({ items: [x] })) },
  );

/** One page of a list; its example holds the item's example. */
/** Shown once in the document and referenced by every page. */
const NextCursor = component(
  'NextCursor',
  Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` to get the next page; null on the last page',
  }),
);

export const Page = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    { items: Type.Array(item), next_cursor: NextCursor },
    { description, ...examplesFrom(item, (x) => ({ items: [x], next_cursor: null })) },
  );

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Page size', examples: [100] }),
  ),
  cursor: Type.Optional(Type.String({ description: "A page's `next_cursor`", examples: ['eyJpZCI6MTAwfQ'] })),
};

/**
 * A body sent as any of several media types: Fastify validates it by the schema of the request's
 * Content-Type and @fastify/swagger documents each under the request's `content`. TypeBox has no
 * type for such a body, so its static type is declared (Unsafe) as the union of its media types'.
 */
export const Content = <C extends Record<string, TSchema>>(content: C) =>
  Type.Unsafe<{ [M in keyof C]: Static<C[M]> }[keyof C]>({
    content: Object.fromEntries(Object.entries(content).map(([media, schema]) => [media, { schema }])),
  });
