// The one place where every error becomes an RFC 9457 problem+json answer.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import './idempotency.ts';
import { TallyError, type FieldProblem } from '../errors.ts';
import { isProblemCode, PROBLEM_CODES, type ProblemCode } from '../problem-codes.ts';
import { MISSING_CODE } from './schemas.ts';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance: string;
  request_id: string;
  errors?: FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * PostgreSQL error codes a correct request can still meet when it loses a race. A unique
 * violation is not one of them: every insert a concurrent request can duplicate says what it
 * does then (ON CONFLICT, or the module's own refusal, like a taken email), so one that reaches
 * this point is a bug, answered 500 and logged with its constraint's name.
 */
export const RACE_CODES: Record<string, string> = {
  '40001': 'a concurrent request changed the same rows; retry',
  '40P01': 'a concurrent request changed the same rows; retry',
  '55P03': 'the rows are locked by a concurrent request; retry',
};

type ValidationItem = NonNullable<FastifyError['validation']>[number];

/**
 * The field one Ajv error names, as a path under the request's `part` (`body/intervals/0/wh`):
 * Ajv reports `/intervals/0/wh`, or a missing or unknown property by name beside its parent.
 * The faces read the same path into their own shapes.
 */
export function validationField(v: ValidationItem, part: string): string {
  const params = v.params as Record<string, unknown>;
  const extra = params.missingProperty ?? params.additionalProperty;
  return `${part}${v.instancePath}${extra ? `/${String(extra)}` : ''}`;
}

function fieldProblems(err: FastifyError): FieldProblem[] {
  const part = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const unknown = (v.params as Record<string, unknown>).additionalProperty;
    const message = unknown ? `unknown field ${String(unknown)}` : (v.message ?? 'is invalid');
    return { field: validationField(v, part), message };
  });
}

/** One answer from a catalogue code: its status and title follow from the code. */
function problem(code: ProblemCode, detail: string, request: FastifyRequest, errors?: FieldProblem[]): Problem {
  const status = PROBLEM_CODES[code].status;
  return {
    type: `urn:tally:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(errors ? { errors } : {}),
    instance: request.url,
    request_id: String(request.id),
  };
}

/**
 * The code of a request whose only fault is missing fields that name their own code (schemas.ts
 * `requiredAs`), e.g. `target_required`; any other invalid request is `invalid_request`.
 */
function validationCode(err: FastifyError): ProblemCode {
  const codes = new Set(
    (err.validation ?? []).map((v) => {
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const parent = (v as { parentSchema?: { properties?: Record<string, Record<string, unknown>> } }).parentSchema;
      const code = missing === undefined ? undefined : parent?.properties?.[missing]?.[MISSING_CODE];
      return typeof code === 'string' && isProblemCode(code) ? code : 'invalid_request';
    }),
  );
  const [only] = codes;
  return codes.size === 1 && only !== undefined ? only : 'invalid_request';
}

function toProblem(err: unknown, request: FastifyRequest): Problem {
  if (err instanceof TallyError) return problem(err.code, err.message, request, err.errors);
  const e = err as FastifyError & { code?: string };
  if (e.validation) {
    const errors = fieldProblems(e);
    return problem(validationCode(e), errors.map((f) => `${f.field}: ${f.message}`).join('; '), request, errors);
  }
  const race = e.code === undefined ? undefined : RACE_CODES[e.code];
  if (race) {
    request.transientAnswer = true;
    return problem('concurrent_change', race, request);
  }
  // Fastify's own client errors (malformed JSON, body too large, wrong content type) keep their
  // code where the catalogue lists it; any other is a plain bad request.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const own = (e.code ?? '').replace(/^FST_ERR_/, '').toLowerCase();
    const code = isProblemCode(own) ? own : 'bad_request';
    const aboutBody = code.includes('json') || code.includes('body');
    return problem(code, e.message, request, aboutBody ? [{ field: 'body', message: e.message }] : undefined);
  }
  return problem('internal_error', 'an internal error occurred; it was logged with this request id', request);
}

/** The constraint a database error names (both drivers report it), for the log. */
const constraintOf = (err: unknown): string | undefined => (err as { constraint?: string }).constraint;

export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(err, request);
  if (problem.status >= 500) request.log.error({ err, constraint: constraintOf(err) }, 'request failed');
  else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
