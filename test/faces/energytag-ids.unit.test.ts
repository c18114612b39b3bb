// The EnergyTag face's ids: a version-8 UUID spells the kind and Tally's integer id, and reads back
// to exactly them; any other UUID, or one of another kind, reads as nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idOf, KINDS, type Kind, readUuid, uuidOf } from '../../src/faces/energytag/ids.ts';

const kinds = Object.keys(KINDS) as Kind[];
const RFC_9562_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('face UUIDs', () => {
  it('are RFC 9562 version-8 UUIDs that read back to their kind and id', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (kind, id) => {
        const uuid = uuidOf(kind, id);
        expect(uuid).toMatch(RFC_9562_V8);
        expect(readUuid(uuid)).toEqual({ kind, id });
        expect(readUuid(uuid.toUpperCase())).toEqual({ kind, id });
        for (const other of kinds) expect(idOf(other, uuid)).toBe(other === kind ? id : undefined);
      }),
    );
  });

  it('spell the id in the tail', () => {
    expect(uuidOf('account', 7)).toBe('7a11e7a9-0002-8000-8000-000000000007');
    expect(uuidOf('user', Number.MAX_SAFE_INTEGER)).toBe('7a11e7a9-0001-8000-801f-ffffffffffff');
  });

  it('read any other UUID as nothing', () => {
    fc.assert(fc.property(fc.uuid(), (uuid) => readUuid(uuid) === undefined));
    for (const text of [
      '7a11e7a9-00ff-8000-8000-000000000001', // no such kind
      '7a11e7a9-0002-8000-8000-000000000000', // id 0
      '7a11e7a9-0002-8000-8400-000000000000', // beyond the safe integers
      '7a11e7a9-0002-4000-8000-000000000001', // another version
      'not a uuid',
    ])
      expect(readUuid(text)).toBeUndefined();
  });
});
