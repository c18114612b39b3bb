// Log positions (pg_lsn) as read routing compares them: read from the text PostgreSQL writes,
// written back the same way, and ordered as the server orders them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLogPosition, parseLogPosition } from '../../src/platform/replica.ts';

const half = fc.integer({ min: 0, max: 0xffffffff });
const lsnText = (high: number, low: number) => `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;

describe('log positions', () => {
  it('reads what PostgreSQL writes and writes it back unchanged', () => {
    fc.assert(
      fc.property(half, half, (high, low) => {
        const position = parseLogPosition(lsnText(high, low));
        expect(position).toBe((BigInt(high) << 32n) + BigInt(low));
        expect(formatLogPosition(position!)).toBe(lsnText(high, low));
      }),
    );
  });

  it('orders positions by the high half, then the low', () => {
    fc.assert(
      fc.property(half, half, half, half, (h1, l1, h2, l2) => {
        const before = h1 < h2 || (h1 === h2 && l1 < l2);
        expect(parseLogPosition(lsnText(h1, l1))! < parseLogPosition(lsnText(h2, l2))!).toBe(before);
      }),
    );
  });

  it('refuses text that is no position', () => {
    for (const text of ['', '16', '16/', '/B374D848', '16/B374D848/1', '123456789/0', 'G/0', ' 16/B374D848'])
      expect(parseLogPosition(text)).toBeUndefined();
    expect(parseLogPosition('16/b374d848')).toBe((0x16n << 32n) + 0xb374d848n);
  });
});
