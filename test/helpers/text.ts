// Arbitrary text a PostgreSQL text column can hold: no NUL and no half of a surrogate pair (which
// UTF-8 cannot carry), with JSON's special characters and line separators often.
import fc from 'fast-check';

/** Whether UTF-8 carries `s` whole: a lone surrogate comes back as U+FFFD. */
const encodable = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;

export const columnText = (opts: { maxLength?: number } = {}) =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, ...opts }),
      fc.string({
        unit: fc.constantFrom('"', '\\', '\n', '\u0001', '\u2028', 'é', '😀', '</script>', 'a'),
        minLength: 1,
        ...opts,
      }),
    )
    .filter((s) => !s.includes('\0') && encodable(s));
