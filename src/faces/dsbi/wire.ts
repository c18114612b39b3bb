// DSBI's wire format: the `{"code","data"}` wrapper its renderer puts around every answer (token
// routes aside), its error shape, its times and numbers, and the translation of Tally's errors
// into the answers DSBI gives for the same refusals.
import { TallyError } from '../../platform/errors.ts';
import type { ProblemCode } from '../../platform/problem-codes.ts';

export const VALIDATION_MESSAGE =
  "Validation error. Please re-check your request parameters or body fields and fix the errors mentioned in this response 'data' field.";
export const UNEXPECTED_MESSAGE =
  'An unexpected error occurred. If the problem persists please contact the developers.';
export const NO_CREDENTIALS = 'Authentication credentials were not provided.';
export const BAD_TOKEN = 'Given token not valid for any token type';
export const NOT_PERMITTED = 'You do not have permission to perform this action.';
/** Why DSBI's engine-only writes are refused: Tally's own engine books what they would. */
export const ENGINE_RUNS_HERE = 'Tally runs the market engine itself.';

/**
 * An answer other than success, as a DSBI view makes it: an APIException's `detail` (answered as
 * `message`, with `data: null`), or a payload (a field-error dict, a list of sentences, a sentence).
 */
export class DsbiError extends Error {
  readonly status: number;
  readonly payload: { detail: string } | { data: unknown };

  constructor(status: number, payload: { detail: string } | { data: unknown }) {
    super('detail' in payload ? payload.detail : JSON.stringify(payload.data));
    this.status = status;
    this.payload = payload;
  }
}

/** An APIException: `{"code","data":null,"status":"error","message":<detail>}`. */
export const detail = (status: number, message: string) => new DsbiError(status, { detail: message });
/** A 400 whose `data` says what is wrong (a field-error dict, or a list of sentences). */
export const invalid = (data: unknown) => new DsbiError(400, { data });
/** A 400 naming one field. */
export const fieldError = (name: string, ...messages: string[]) => invalid({ [name]: messages });
/** A non-2xx answer whose payload is data, not a detail (DSBI's `Response(data, status=…)`). */
export const answer = (status: number, data: unknown) => new DsbiError(status, { data });

/** The wrapped body of a refusal, exactly as DSBI's CustomRenderer writes it. */
export function errorBody(status: number, payload: DsbiError['payload']): Record<string, unknown> {
  const body: Record<string, unknown> = { code: status, data: null, status: 'error' };
  if ('detail' in payload) body.message = payload.detail;
  else body.data = payload.data;
  if (status === 400) body.message = VALIDATION_MESSAGE;
  return body;
}

/** The body of a refusal on a route DSBI does not wrap (the token routes, password reset): the payload itself. */
export const plainBody = (payload: DsbiError['payload']): unknown => ('detail' in payload ? payload : payload.data);

/** A time as DSBI writes it: UTC with `Z`, the fraction in six digits and only when not zero. */
export function dsbiTime(t: Date | string): string;
export function dsbiTime(t: Date | string | null): string | null;
export function dsbiTime(t: Date | string | null): string | null {
  if (t === null) return null;
  const iso = (typeof t === 'string' ? new Date(t) : t).toISOString();
  const [whole, fraction = '000Z'] = iso.split('.');
  const ms = fraction.slice(0, 3);
  return ms === '000' ? `${whole}Z` : `${whole}.${ms}000Z`;
}

/** Money Tally keeps as whole base units in decimal text, as the JSON number DSBI sends. */
export const amount = (text: string): number => Number(text);

/** How one of Tally's refusals is answered on this route. */
export type Answers = Partial<Record<ProblemCode, (err: TallyError) => DsbiError | Promise<DsbiError>>>;

/** Runs `work`, answering Tally's refusals listed in `answers` as DSBI would; others go to the face's handler. */
export async function answering<T>(answers: Answers, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof TallyError) {
      const translate = answers[err.code];
      if (translate) throw await translate(err);
    }
    throw err;
  }
}

/** The same refusal with Tally's own words: `detail(status, message)`. */
export const says = (status: number) => (err: TallyError) => detail(status, err.message);

/** Tally's refusal as a DSBI field error, keyed by the field Tally names (or `field`). */
export const onField = (field?: string) => (err: TallyError) => {
  const named = err.errors?.[0]?.field;
  const name = field ?? named?.slice(named.lastIndexOf('/') + 1) ?? 'non_field_errors';
  return fieldError(name, err.message);
};

/** Django's production 404 page, which DSBI answers for any path it does not route. */
export const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n' +
  '  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

/** What GET of a verification link shows once the address is verified. */
export const VERIFIED_PAGE =
  '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>Registration Successful!</title>\n' +
  '</head>\n<body>\n  <h1>Registration Successful!</h1>\n  <p>Your email address is verified. You can log in now.</p>\n' +
  '</body>\n</html>\n';
