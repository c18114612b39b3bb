// The closed set of errors Tally answers with. Modules throw these; one handler (http/problems.ts)
// turns each into an RFC 9457 problem+json with a stable `code`. Anything else is a bug (500).

export interface FieldProblem {
  /** JSON pointer-like path of the offending field, e.g. `/intervals/3/wh`. */
  field: string;
  message: string;
}

export class TallyError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldProblem[] | undefined;

  constructor(status: number, code: string, message: string, errors?: FieldProblem[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** The request is malformed or names an invalid value; `field` says which. */
export const badRequest = (code: string, message: string, field?: string) =>
  new TallyError(400, code, message, field === undefined ? undefined : [{ field, message }]);
export const unauthorized = (message = 'authentication required') => new TallyError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new TallyError(403, code, message);
/** Also used for things that exist but the caller may not see: existence is not disclosed. */
export const notFound = (what: string, id: string | number) =>
  new TallyError(404, `${what}_not_found`, `${what.replace(/_/g, ' ')} ${id} not found`);
/** The request is valid but conflicts with the current state (a status, a concurrent winner, a duplicate). */
export const conflict = (code: string, message: string) => new TallyError(409, code, message);
/** The request is well formed but breaks a domain rule (capacity, whitelist, quantity). */
export const unprocessable = (code: string, message: string, field?: string) =>
  new TallyError(422, code, message, field === undefined ? undefined : [{ field, message }]);
export const tooManyRequests = (message: string) => new TallyError(429, 'rate_limited', message);
