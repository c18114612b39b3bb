// The serializer's rewritten schemas must write every value exactly as the schemas as written do:
// any bundle page and any disclosure, with any field null or set, come out byte for byte alike.
import fc from 'fast-check';
import fastJsonStringify from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { compileSerializer, serializationSchema } from '../../src/platform/http/serializer.ts';
import { Page } from '../../src/platform/http/schemas.ts';
import { Bundle } from '../../src/registry/schemas.ts';
import { DisclosureDataset } from '../../src/disclosure/schemas.ts';

type Schema = Record<string, any>;

const isoTime = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

/** Values of the subset of JSON Schema Tally's responses use. */
function valuesOf(schema: Schema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map(valuesOf));
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
        max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      });
    case 'number':
      return fc
        .double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true })
        .filter((x) => schema.exclusiveMinimum === undefined || x > schema.exclusiveMinimum);
    case 'string':
      if (schema.format === 'date-time') return isoTime;
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 20 });
    case 'array':
      return fc.array(valuesOf(schema.items), { maxLength: 4 });
    case 'object':
      return fc.record(
        Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, valuesOf(v as Schema)])),
        { requiredKeys: schema.required ?? [] },
      );
    default:
      throw new Error(`no values for ${JSON.stringify(schema).slice(0, 80)}`);
  }
}

describe('the response serializer', () => {
  it.each([
    ['a page of bundles', Page(Bundle, 'Bundles')],
    ['a disclosure dataset', DisclosureDataset],
  ])('writes %s exactly as the schema as written does, and as JSON.stringify', (_, schema) => {
    const asWritten = fastJsonStringify(schema as never);
    const rewritten = compileSerializer({ schema });
    fc.assert(
      fc.property(valuesOf(schema as Schema), (value) => {
        const text = rewritten(value);
        expect(text).toBe(asWritten(value));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('says nullable primitives as type lists and string unions as strings, and leaves the rest', () => {
    expect(
      serializationSchema({
        type: 'object',
        properties: {
          at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'd' },
          status: {
            anyOf: [
              { const: 'a', type: 'string' },
              { const: 'b', type: 'string' },
            ],
          },
          device: { anyOf: [{ type: 'object', properties: {} }, { type: 'null' }] },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        at: { type: ['string', 'null'], format: 'date-time', description: 'd' },
        status: { type: 'string' },
        device: { anyOf: [{ type: 'object', properties: {} }, { type: 'null' }] },
      },
    });
  });
});
