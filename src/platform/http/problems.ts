// The one place where every error becomes an RFC 9457 problem+json answer.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import './idempotency.ts';
import { TallyError, type FieldProblem } from '../errors.ts';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
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
const RACE_CODES: Record<string, string> = {
  '40001': 'a concurrent request changed the same rows; retry',
  '40P01': 'a concurrent request changed the same rows; retry',
  '55P03': 'the rows are locked by a concurrent request; retry',
};

/** Ajv reports `/intervals/0/wh` or a missing property by name; turn both into one field path. */
function fieldProblems(err: FastifyError): FieldProblem[] {
  const part = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const extra = params.missingProperty ?? params.additionalProperty;
    const path = `${v.instancePath}${extra ? `/${String(extra)}` : ''}`;
    const message = params.additionalProperty
      ? `unknown field ${String(params.additionalProperty)}`
      : (v.message ?? 'is invalid');
    return { field: `${part}${path || ''}`, message };
  });
}

function toProblem(err: unknown, request: FastifyRequest): Problem {
  const base = { instance: request.url, request_id: String(request.id) };
  if (err instanceof TallyError) {
    return {
      type: `urn:tally:problem:${err.code}`,
      title: TITLES[err.status] ?? 'Error',
      status: err.status,
      code: err.code,
      detail: err.message,
      ...(err.errors ? { errors: err.errors } : {}),
      ...base,
    };
  }
  const e = err as FastifyError & { code?: string };
  if (e.validation) {
    const errors = fieldProblems(e);
    const detail = errors.map((f) => `${f.field}: ${f.message}`).join('; ');
    return {
      type: 'urn:tally:problem:invalid_request',
      title: TITLES[400]!,
      status: 400,
      code: 'invalid_request',
      detail,
      errors,
      ...base,
    };
  }
  if (e.code && RACE_CODES[e.code]) {
    request.transientAnswer = true;
    return {
      type: 'urn:tally:problem:concurrent_change',
      title: TITLES[409]!,
      status: 409,
      code: 'concurrent_change',
      detail: RACE_CODES[e.code]!,
      ...base,
    };
  }
  // Fastify's own client errors (malformed JSON, body too large, wrong content type) keep their status.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = (e.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    return {
      type: `urn:tally:problem:${code}`,
      title: TITLES[e.statusCode] ?? 'Error',
      status: e.statusCode,
      code,
      detail: e.message,
      ...(code.includes('json') || code.includes('body') ? { errors: [{ field: 'body', message: e.message }] } : {}),
      ...base,
    };
  }
  return {
    type: 'urn:tally:problem:internal_error',
    title: TITLES[500]!,
    status: 500,
    code: 'internal_error',
    detail: 'an internal error occurred; it was logged with this request id',
    ...base,
  };
}

/** The constraint a database error names (both drivers report it), for the log. */
const constraintOf = (err: unknown): string | undefined => (err as { constraint?: string }).constraint;

export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(err, request);
  if (problem.status >= 500) request.log.error({ err, constraint: constraintOf(err) }, 'request failed');
  else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
