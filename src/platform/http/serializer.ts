// Responses are written by fast-json-stringify from each route's response schema. It picks an
// `anyOf` branch by validating the value against each branch while it writes, so a page of 1,000
// bundles, each with twenty `T | null` fields and two unions of string literals, ran some 20,000
// validations per response. The serializer gets the same schemas said the way it writes directly:
// a nullable primitive as a list of types, a union of strings as a string. The OpenAPI document
// and request validation keep the schemas as written.
import fastJsonStringify from 'fast-json-stringify';
import { JsonText } from '../json-text.ts';

type Schema = Record<string, unknown>;

const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean']);

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null;

/** `T | null` with T a primitive type, or undefined. */
function nullablePrimitive(branches: unknown[]): Schema | undefined {
  if (branches.length !== 2) return undefined;
  const [value, none] = branches;
  if (!isSchema(value) || !isSchema(none) || none.type !== 'null' || Object.keys(none).length !== 1) return undefined;
  return typeof value.type === 'string' && PRIMITIVES.has(value.type) && !('anyOf' in value) ? value : undefined;
}

const isStringLiteral = (branch: unknown) => isSchema(branch) && typeof branch.const === 'string';

/** The schema as fast-json-stringify writes it fastest, meaning the same for every value Tally writes. */
export function serializationSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(serializationSchema);
  if (!isSchema(schema)) return schema;
  const { anyOf, ...rest } = schema;
  if (Array.isArray(anyOf)) {
    const value = nullablePrimitive(anyOf);
    if (value) return { ...rest, ...value, type: [value.type, 'null'] };
    if (anyOf.length > 0 && anyOf.every(isStringLiteral)) return { ...rest, type: 'string' };
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, serializationSchema(v)]));
}

/**
 * Fastify's serializer compiler, over the rewritten schema. An answer already written as JSON is
 * sent as its bytes: Fastify sends a Buffer from a serializer as it sends a string, only without
 * measuring and encoding it again, though its type names only strings.
 */
export function compileSerializer({ schema }: { schema: unknown }): (value: unknown) => string {
  const write = fastJsonStringify(serializationSchema(schema) as Parameters<typeof fastJsonStringify>[0]);
  return (value) => (value instanceof JsonText ? (value.bytes as unknown as string) : write(value));
}

/**
 * A handler's answer written as JSON already (json-text.ts), typed as the value it holds so the
 * route's response schema still types the handler: the serializer above sends its text.
 */
export const written = <T>(json: JsonText<T>): T => json as unknown as T;
