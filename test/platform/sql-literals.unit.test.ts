// Parameters written into a statement as literals (platform/sql-literals.ts), for COPY, which takes
// none: text under a dollar quote whose tag it does not hold, numbers as digits, anything else refused.
import { describe, expect, it } from 'vitest';
import { sqlLiteral, withLiterals } from '../../src/platform/sql-literals.ts';

describe('SQL literals', () => {
  it('quotes text under a tag the text does not hold, nor end with the start of', () => {
    expect(sqlLiteral("it's")).toBe("$l$it's$l$");
    expect(sqlLiteral('a $l$ b')).toBe('$l1$a $l$ b$l1$');
    expect(sqlLiteral('ends with $l')).toBe('$l1$ends with $l$l1$');
    expect(sqlLiteral('$l$ and $l1$ and $l2')).toBe('$l3$$l$ and $l1$ and $l2$l3$');
  });

  it('writes numbers, booleans, null and instants', () => {
    expect(sqlLiteral(-5)).toBe('(-5)');
    expect(sqlLiteral(12n)).toBe('(12)');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(new Date('2025-06-01T10:00:00.5Z'))).toBe('$l$2025-06-01T10:00:00.500Z$l$');
  });

  it('refuses what it cannot write exactly', () => {
    expect(() => sqlLiteral(Number.NaN)).toThrow('cannot be NaN');
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow('cannot be Infinity');
    expect(() => sqlLiteral('a\0b')).toThrow('NUL');
    expect(() => sqlLiteral({ a: 1 })).toThrow('no SQL literal is written for a object');
    expect(() => sqlLiteral(undefined)).toThrow('no SQL literal is written for a undefined');
  });

  it('puts each parameter where its placeholder is, $10 apart from $1', () => {
    const parameters = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(withLiterals({ sql: 'select $1, $10, $2', parameters })).toBe('select (1), (10), (2)');
    expect(() => withLiterals({ sql: 'select $2', parameters: [1] })).toThrow('no parameter $2');
  });
});
