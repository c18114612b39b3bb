// The closed set of errors Tally answers with. Modules throw these; one handler (http/problems.ts)
// turns each into an RFC 9457 problem+json with a stable `code`. Anything else is a bug (500).
// Every code comes from the catalogue (problem-codes.ts), which also fixes its HTTP status.
import {
  PROBLEM_CODES,
  type CodeWithStatus,
  type Missing,
  type ProblemCode,
  type ProblemStatus,
} from './problem-codes.ts';

export interface FieldProblem {
  /** JSON pointer-like path of the offending field, e.g. `/intervals/3/wh`. */
  field: string;
  message: string;
}

export class TallyError extends Error {
  readonly status: ProblemStatus;
  readonly code: ProblemCode;
  readonly errors: FieldProblem[] | undefined;

  constructor(code: ProblemCode, message: string, errors?: FieldProblem[]) {
    super(message);
    this.status = PROBLEM_CODES[code].status;
    this.code = code;
    this.errors = errors;
  }
}

/** The request is malformed or names an invalid value; `field` says which. */
export const badRequest = (code: CodeWithStatus<400>, message: string, field?: string) =>
  new TallyError(code, message, field === undefined ? undefined : [{ field, message }]);
export const unauthorized = (message = 'authentication required') => new TallyError('unauthorized', message);
export const forbidden = (code: CodeWithStatus<403>, message: string) => new TallyError(code, message);
/** Also used for things that exist but the caller may not see: existence is not disclosed. */
export const notFound = (what: Missing, id: string | number) =>
  new TallyError(`${what}_not_found`, `${what.replace(/_/g, ' ')} ${id} not found`);
/** The request is valid but conflicts with the current state (a status, a concurrent winner, a duplicate). */
export const conflict = (code: CodeWithStatus<409>, message: string) => new TallyError(code, message);
/** The request is well formed but breaks a domain rule (capacity, whitelist, quantity). */
export const unprocessable = (code: CodeWithStatus<422>, message: string, field?: string) =>
  new TallyError(code, message, field === undefined ? undefined : [{ field, message }]);
export const tooManyRequests = (message: string) => new TallyError('rate_limited', message);
