// What a DSBI route takes, declared per field as DSBI's serializers (Django REST framework) declare
// it, and checked the way they check it: every field at once, each error in DRF's own words, keyed
// by field (`{"name": ["This field is required."]}`), nested lists of items as lists of their
// errors, unknown keys ignored. Query parameters are checked as DSBI's views check them: the first
// bad one answers, as a list of one sentence. The route's handler gets the parsed values, typed.
import { parseTimestamp } from '../../platform/timestamp.ts';
import { invalid } from './wire.ts';

type Checked<T> = { ok: true; value: T } | { ok: false; errors: unknown };

/** One body field: how it reads a present, non-null value, and whether it may be missing or null. */
export interface Field<T> {
  readonly required: boolean;
  readonly nullable: boolean;
  check(value: unknown): Checked<T>;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (...messages: string[]): Checked<never> => ({ ok: false, errors: messages });
const field = <T>(check: (value: unknown) => Checked<T>): Field<T> => ({ required: true, nullable: false, check });

/** The field may be left out (it is then undefined). */
export const optional = <T>(f: Field<T>): Field<T | undefined> => ({ ...f, required: false });
/** The field may be null. */
export const nullable = <T>(f: Field<T>): Field<T | null> => ({ ...f, nullable: true });

/** Python's name for a JSON value's type, as DRF's messages say it. */
function pythonType(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** DRF's CharField: a string (a number is taken as its text), not blank unless allowed. */
export const text = (
  opts: { max?: number; min?: number; minMessage?: string; pattern?: RegExp; patternMessage?: string } = {},
) =>
  field<string>((value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return bad('Not a valid string.');
    const s = String(value);
    if (s.trim() === '') return bad('This field may not be blank.');
    const errors: string[] = [];
    if (opts.max !== undefined && s.length > opts.max)
      errors.push(`Ensure this field has no more than ${opts.max} characters.`);
    if (opts.min !== undefined && s.length < opts.min)
      errors.push(opts.minMessage ?? `Ensure this field has at least ${opts.min} characters.`);
    if (opts.pattern && !opts.pattern.test(s)) errors.push(opts.patternMessage ?? 'Enter a valid value.');
    return errors.length ? bad(...errors) : ok(s);
  });

const INTEGER_TEXT = /^\s*[+-]?\d+(\.0*)?\s*$/;

/**
 * DRF's IntegerField: a whole number (500000.0 is one, 500000.5 is not; "7" is taken), within the
 * safe integers.
 */
export const integer = (opts: { min?: number; max?: number } = {}) =>
  field<number>((value) => {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) return bad('A valid integer is required.');
    if (opts.min !== undefined && n < opts.min)
      return bad(`Ensure this value is greater than or equal to ${opts.min}.`);
    if (opts.max !== undefined && n > opts.max) return bad(`Ensure this value is less than or equal to ${opts.max}.`);
    return ok(n);
  });

/** DRF's FloatField: any finite number (or its text). */
export const float = () =>
  field<number>((value) => {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) ? ok(n) : bad('A valid number is required.');
  });

const TRUE = new Set([true, 1, 'true', 'True', 'TRUE', 't', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', '1']);
const FALSE = new Set([
  false,
  0,
  'false',
  'False',
  'FALSE',
  'f',
  'F',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
  '0',
]);

/** DRF's BooleanField, with the texts it takes for each value. */
export const boolean = () =>
  field<boolean>((value) => {
    if (TRUE.has(value as never)) return ok(true);
    if (FALSE.has(value as never)) return ok(false);
    return bad('Must be a valid boolean.');
  });

/** DRF's ChoiceField: one of `values`, compared as text (so 60 and "60" are one choice). */
export const choice = <const V extends readonly (string | number)[]>(values: V) =>
  field<V[number]>((value) => {
    const found = values.find((v) => String(v) === String(value));
    if (found !== undefined && (typeof value === 'string' || typeof value === 'number')) return ok(found);
    return bad(`"${typeof value === 'string' ? value : JSON.stringify(value)}" is not a valid choice.`);
  });

const UUID_TEXT = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** A UUID in any of the spellings Python's uuid.UUID reads, as lower-case with dashes; or undefined. */
export function uuidText(value: string): string | undefined {
  const m = UUID_TEXT.exec(value.trim());
  return m ? m.slice(1).join('-').toLowerCase() : undefined;
}

/** DRF's UUIDField. */
export const uuid = () =>
  field<string>((value) => {
    const id = typeof value === 'string' ? uuidText(value) : undefined;
    return id === undefined ? bad('Must be a valid UUID.') : ok(id);
  });

/** An address DRF's EmailField takes (Django's validator, in short), at most 320 characters. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const email = () =>
  field<string>((value) => {
    if (typeof value !== 'string') return bad('Not a valid string.');
    if (value.trim() === '') return bad('This field may not be blank.');
    return EMAIL.test(value.trim()) && value.length <= 320 ? ok(value.trim()) : bad('Enter a valid email address.');
  });

const LOOSE_ISO = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(:\d\d(?:\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * Any ISO 8601 time DRF's DateTimeField reads: seconds and fraction optional, `T` or a space, a zone
 * or none (naive times are UTC, as DSBI's USE_TZ with UTC makes them).
 */
export function readTime(text: string): Date | undefined {
  const m = LOOSE_ISO.exec(text.trim());
  if (!m) return undefined;
  const zone =
    m[4] === undefined ? 'Z' : m[4].toUpperCase() === 'Z' ? 'Z' : m[4].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  return parseTimestamp(`${m[1]}T${m[2]}${m[3] ?? ':00'}${zone}`);
}

export const DATETIME_FORMAT_MESSAGE =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

export const datetime = () =>
  field<Date>((value) => {
    const t = typeof value === 'string' ? readTime(value) : undefined;
    return t === undefined ? bad(DATETIME_FORMAT_MESSAGE) : ok(t);
  });

/**
 * A list: of nested objects (DRF's `many=True` serializer: errors are a list with `{}` for each good
 * item) or of plain values (DRF's ListField: errors keyed by the item's index).
 */
export const list = <T>(item: Field<T>, opts: { maxItems?: number } = {}) =>
  field<T[]>((value) => {
    if (!Array.isArray(value)) return bad(`Expected a list of items but got type "${pythonType(value)}".`);
    if (opts.maxItems !== undefined && value.length > opts.maxItems)
      return bad(`Ensure this field has no more than ${opts.maxItems} elements.`);
    const nested = (item as { nested?: boolean }).nested === true;
    const out: T[] = [];
    const byItem: unknown[] = [];
    const byIndex: Record<string, unknown> = {};
    let failed = false;
    value.forEach((v, i) => {
      const r =
        v === null && !item.nullable ? bad('This field may not be null.') : v === null ? ok(null as T) : item.check(v);
      if (r.ok) {
        out.push(r.value);
        byItem.push({});
      } else {
        failed = true;
        byItem.push(r.errors);
        byIndex[String(i)] = r.errors;
      }
    });
    if (!failed) return ok(out);
    return { ok: false, errors: nested ? byItem : byIndex };
  });

export type Shape = Record<string, Field<unknown>>;
export type Parsed<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Checks an object against its fields: the parsed object, or DRF's errors keyed by field. */
function checkObject<S extends Shape>(shape: S, value: unknown): Checked<Parsed<S>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      ok: false,
      errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType(value)}.`] },
    };
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(shape)) {
    if (!Object.hasOwn(input, name)) {
      if (f.required) errors[name] = ['This field is required.'];
      continue;
    }
    const v = input[name];
    if (v === null) {
      if (f.nullable) out[name] = null;
      else errors[name] = ['This field may not be null.'];
      continue;
    }
    const r = f.check(v);
    if (r.ok) out[name] = r.value;
    else errors[name] = r.errors;
  }
  return Object.keys(errors).length ? { ok: false, errors } : ok(out as Parsed<S>);
}

/** A nested object field (DRF's nested serializer). */
export const object = <S extends Shape>(shape: S): Field<Parsed<S>> & { nested: true } => ({
  ...field((value) => checkObject(shape, value)),
  nested: true,
});

/** A request body, or a 400 with DRF's errors. A missing body is an empty one. */
export function parseBody<S extends Shape>(shape: S, body: unknown): Parsed<S> {
  const r = checkObject(shape, body ?? {});
  if (!r.ok) throw invalid(r.errors);
  return r.value;
}

/** One query parameter: its text read as a value, or the sentence a bad one is answered with. */
export interface Param<T> {
  read(text: string): { value: T } | { error: string };
}
export type Params = Record<string, Param<unknown>>;
export type ParsedQuery<P extends Params> = { [K in keyof P]?: P[K] extends Param<infer T> ? T : never };

const param = <T>(read: (text: string) => { value: T } | { error: string }): Param<T> => ({ read });

export const intParam = (name: string) =>
  param((t) =>
    /^\s*[+-]?\d+\s*$/.test(t) && Number.isSafeInteger(Number(t))
      ? { value: Number(t) }
      : { error: `Query param '${name}' must be an integer.` },
  );

export const uuidParam = (name: string) =>
  param((t) => {
    const id = uuidText(t);
    return id === undefined ? { error: `Query param '${name}' must be a valid uuid.` } : { value: id };
  });

/** `true` or `false`, in any case. */
export const boolParam = (name: string) =>
  param((t) =>
    ['true', 'false'].includes(t.toLowerCase())
      ? { value: t.toLowerCase() === 'true' }
      : { error: `Query param '${name}' must be a boolean (true/false)` },
  );

/** As DSBI's bid list reads `confirmed`: "true" in any case is true, anything else false. */
export const trueParam = () => param((t) => ({ value: t.toLowerCase() === 'true' }));

/** A Django BooleanField filter's texts (True, false, 1, 0, t, f…). */
export const solidParam = (name: string) =>
  param((t) => {
    if (['true', 't', '1'].includes(t.toLowerCase())) return { value: true };
    if (['false', 'f', '0'].includes(t.toLowerCase())) return { value: false };
    return { error: `Query param '${name}' must be a boolean (true/false)` };
  });

/** A number (Python's float() of the text); kept as its decimal text. */
export const numberParam = (name: string) =>
  param((t) =>
    t.trim() !== '' && Number.isFinite(Number(t))
      ? { value: Number(t) }
      : { error: `Query param '${name}' must be an integer or float.` },
  );

/** DSBI's strict `%Y-%m-%dT%H:%M:%SZ`. */
export const dateParam = () =>
  param((t) => {
    const d = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(t) ? parseTimestamp(t) : undefined;
    return d === undefined ? { error: 'Query datetime parameters must use format %Y-%m-%dT%H:%M:%SZ' } : { value: d };
  });

/** One of `values` in any case, kept as sent (DSBI filters by the text exactly). */
export const oneOfParam = (name: string, values: readonly string[]) =>
  param((t) =>
    values.includes(t.toLowerCase())
      ? { value: t }
      : { error: `Query param '${name}' must be one of the following [${values.map((v) => `'${v}'`).join(', ')}]` },
  );

export const textParam = () => param((t) => ({ value: t }));

/** The query's parameters, each read from its last value; the first bad one answers 400. */
export function parseQuery<P extends Params>(params: P, query: unknown): ParsedQuery<P> {
  const input = (query ?? {}) as Record<string, string | string[] | undefined>;
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(params)) {
    const raw = input[name];
    const t = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (t === undefined) continue;
    const r = p.read(t);
    if ('error' in r) throw invalid([r.error]);
    out[name] = r.value;
  }
  return out as ParsedQuery<P>;
}
