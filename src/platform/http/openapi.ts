// The OpenAPI 3.1 document, written from the very schemas that validate requests and shape answers.
// @fastify/swagger walks the routes; this file adds what a client generator needs: shared schemas
// under components (schemas.ts `component`), referenced from answers; every problem an operation
// may answer with, as application/problem+json with its codes from the catalogue; `security: []`
// on public routes; the Idempotency-Key header on the routes that honour it.
import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PROBLEM_CODES, type ProblemCode } from '../problem-codes.ts';
import { COMPONENT, ProblemSchema } from './schemas.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** The problem codes this route answers with beyond those `commonProblems` gives every route of its kind. */
    problems?: readonly ProblemCode[];
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const WRITING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};
/** A status with one code in the whole catalogue has one answer, shared under components.responses. */
const SHARED_STATUSES = [401, 413, 415, 429, 500] as const;
const responseName = (status: number) => (TITLES[status] ?? 'Error').replace(/\s/g, '');
/** Carries an operation's shared statuses from `transform` to `finish`. */
const SHARED = 'x-shared-responses';

/** The problems every route of a kind can answer with, whatever its module does. */
function commonProblems(route: RouteOptions): ProblemCode[] {
  const schema = route.schema ?? {};
  const config = route.config ?? {};
  const methods = [route.method].flat();
  const writing = methods.some((m) => WRITING.has(m));
  const codes: ProblemCode[] = [];
  if (schema.body || schema.querystring || schema.params) codes.push('invalid_request', 'invalid_text');
  if (schema.body)
    codes.push(
      'body_too_deep',
      'ctp_invalid_json_body',
      'ctp_empty_json_body',
      'ctp_body_too_large',
      'ctp_invalid_media_type',
    );
  if (config.access === 'public') codes.push('rate_limited');
  else {
    codes.push('unauthorized', 'email_not_verified');
    if (Array.isArray(config.access)) codes.push('role_required');
    const auditorMay =
      config.auditorsMay !== undefined || (Array.isArray(config.access) && config.access.includes('auditor'));
    if (writing && !auditorMay) codes.push('auditors_read_only');
  }
  if (writing) {
    codes.push('invalid_idempotency_key', 'concurrent_change');
    if (!config.mintsSecrets)
      codes.push('idempotency_key_in_progress', 'idempotency_outcome_unknown', 'idempotency_key_reused');
  }
  return codes;
}

/**
 * Turns a route's JSON Schema into the document's: each marked component becomes a reference
 * (collected into `components`), and TypeBox's draft-07 spellings become OpenAPI 3.1's.
 */
class Components {
  readonly schemas = new Map<string, Json>();
  /** Each component's example, written once under components.examples when an answer uses it. */
  readonly examples = new Map<string, { value: unknown; used: boolean }>();
  private readonly sources = new Map<string, Json>();

  ref(schema: unknown, root?: string): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.ref(s));
    if (!isObject(schema)) return schema;
    const name = schema[COMPONENT];
    if (typeof name === 'string' && name !== root) {
      const source = this.sources.get(name);
      if (!source) {
        this.sources.set(name, schema);
        const { examples, ...definition } = this.ref(schema, name) as Json;
        this.schemas.set(name, definition);
        if (Array.isArray(examples) && examples.length > 0)
          this.examples.set(name, { value: examples[0], used: false });
      } else if (JSON.stringify({ ...source, description: null }) !== JSON.stringify({ ...schema, description: null }))
        throw new Error(`two different schemas are both named ${name}`);
      const reference: Json = { $ref: `#/components/schemas/${name}` };
      // OpenAPI 3.1 lets a reference carry its own description, where a use says more than the component.
      if (schema.description !== source?.description && typeof schema.description === 'string')
        reference.description = schema.description;
      return reference;
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === COMPONENT) continue;
      if (key === 'properties' && isObject(value))
        out[key] = Object.fromEntries(Object.entries(value).map(([p, s]) => [p, this.ref(s)]));
      else if (['items', 'anyOf', 'allOf', 'oneOf', 'additionalProperties', 'not'].includes(key))
        out[key] = this.ref(value);
      else out[key] = value;
    }
    return openApiSpelling(out);
  }
}

/**
 * TypeBox writes draft-07 JSON Schema; the document is OpenAPI 3.1 (JSON Schema 2020-12): a tuple's
 * items become `prefixItems`; a union of literals becomes one `enum`, as client generators expect.
 */
function openApiSpelling(schema: Json): Json {
  if (schema.const !== undefined) {
    schema.enum = [schema.const];
    delete schema.const;
  }
  if (Array.isArray(schema.items)) {
    schema.prefixItems = schema.items;
    schema.maxItems = schema.items.length;
    delete schema.items;
    delete schema.additionalItems;
  }
  const members = schema.anyOf;
  if (Array.isArray(members) && members.length > 0) {
    const literals = members.every(
      (m) => isObject(m) && Array.isArray(m.enum) && Object.keys(m).every((k) => k === 'type' || k === 'enum'),
    );
    const types = new Set(members.map((m) => (m as Json).type));
    if (literals && types.size === 1) {
      delete schema.anyOf;
      schema.type = [...types][0];
      schema.enum = members.flatMap((m) => (m as Json).enum as unknown[]);
    }
  }
  return schema;
}

/** Applies `openApiSpelling` through a part of the document @fastify/swagger wrote (request bodies, parameters). */
function respell(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(respell);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === COMPONENT) continue;
    out[key] = key === 'example' || key === 'examples' || key === 'default' ? value : respell(value);
  }
  return openApiSpelling(out);
}

/**
 * The document's answer for each problem status of a route, from the codes it may send; `shared`
 * lists the statuses answered by a shared response, referenced once the document is complete
 * (@fastify/swagger would take a reference written here for a schema).
 */
function problemResponses(codes: ProblemCode[]): { responses: Json; shared: number[] } {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const status = PROBLEM_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  byStatus.set(500, ['internal_error']);
  const out: Json = {};
  const shared: number[] = [];
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    if ((SHARED_STATUSES as readonly number[]).includes(status)) shared.push(status);
    else out[status] = problemResponse(status, list);
  }
  return { responses: out, shared };
}

function problemResponse(status: number, codes: ProblemCode[]): Json {
  return {
    description: `${TITLES[status]}; \`code\` says which`,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: codes } } }],
        },
      },
    },
  };
}

/** The route's success answers: a description, a schema and an example, under the type it sends. */
function successResponses(schema: NonNullable<RouteOptions['schema']>, components: Components): Json {
  const media = schema.produces?.[0] ?? 'application/json';
  const out: Json = {};
  for (const [status, answer] of Object.entries((schema.response ?? {}) as Record<string, Json>)) {
    const { examples, description, ...rest } = answer;
    if (answer.type === 'null') {
      out[status] = { description };
      continue;
    }
    // A component is referenced whole, with its example; an answer of its own is written out here.
    const name = answer[COMPONENT];
    const body = typeof name === 'string' ? answer : rest;
    const schemaOf = components.ref(body);
    const shared = typeof name === 'string' ? components.examples.get(name) : undefined;
    if (shared) shared.used = true;
    const example = shared
      ? { examples: { [name as string]: { $ref: `#/components/examples/${name}` } } }
      : Array.isArray(examples) && examples.length > 0
        ? { example: examples[0] }
        : {};
    out[status] = { description, content: { [media]: { schema: schemaOf, ...example } } };
  }
  return out;
}

/** The catalogue, as the Problem schema's `code`: every code, and a table of statuses and meanings. */
function problemComponent(components: Components): Json {
  const problem = components.ref(ProblemSchema, 'Problem') as Json;
  const rows = Object.entries(PROBLEM_CODES).map(([code, p]) => `| \`${code}\` | ${p.status} | ${p.meaning} |`);
  const properties = problem.properties as Json;
  properties.code = {
    type: 'string',
    enum: Object.keys(PROBLEM_CODES),
    description: `A stable, machine-readable code. Every code Tally sends:\n\n| code | status | meaning |\n| --- | --- | --- |\n${rows.join('\n')}`,
  };
  return problem;
}

export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  const components = new Components();
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tally API',
        version: '0.1.0',
        description:
          'Hourly Granular Certificates from metered energy: accounts, devices, issuance, transfer, cancellation and claims, with an append-only ledger of every change. Errors are RFC 9457 problem+json with a stable `code` (the Problem schema lists them all). Writing requests accept an `Idempotency-Key` header.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from POST /api/token, or an API key',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: ({ schema, url, route }) => {
      if (!schema || schema.hide) return { schema, url };
      const { problems, response: _answers, ...rest } = schema;
      const failures = problemResponses([...commonProblems(route), ...(problems ?? [])]);
      // @fastify/swagger passes answers written as `{ description, content }` through unchanged.
      const doc = {
        ...rest,
        response: { ...successResponses(schema, components), ...failures.responses },
        [SHARED]: failures.shared,
        ...(route.config?.access === 'public' ? { security: [] } : {}),
      };
      return { schema: doc as typeof schema, url };
    },
    transformObject: (document) =>
      finish(('openapiObject' in document ? document.openapiObject : {}) as Json, components),
  });
}

/** Adds the components the operations reference and the Idempotency-Key header of writing routes. */
function finish(document: Json, components: Components): Json {
  const problem = problemComponent(components);
  const paths = respell(document.paths) as Record<string, Record<string, Json>>;
  for (const operations of Object.values(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const shared = (operation[SHARED] as number[] | undefined) ?? [];
      delete operation[SHARED];
      const responses = operation.responses as Json;
      for (const status of shared) responses[status] = { $ref: `#/components/responses/${responseName(status)}` };
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
      if (!WRITING.has(method.toUpperCase()) || operation['x-mints-secrets']) continue;
      operation.parameters = [
        ...((operation.parameters as unknown[]) ?? []),
        { $ref: '#/components/parameters/IdempotencyKey' },
      ];
    }
  }
  const sharedResponses = Object.fromEntries(
    SHARED_STATUSES.map((status) => {
      const codes = (Object.keys(PROBLEM_CODES) as ProblemCode[]).filter((c) => PROBLEM_CODES[c].status === status);
      return [responseName(status), problemResponse(status, codes)];
    }),
  );
  const existing = document.components as Json;
  return {
    ...document,
    paths,
    components: {
      ...existing,
      schemas: Object.fromEntries(
        [...components.schemas, ['Problem', problem] as const].sort(([a], [b]) => a.localeCompare(b)),
      ),
      responses: sharedResponses,
      examples: Object.fromEntries(
        [...components.examples].filter(([, e]) => e.used).map(([name, e]) => [name, { value: e.value }]),
      ),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Any 1 to 255 characters, new for each change: a retry with the same key and body gets the first answer again instead of a second change (kept 24 hours).',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
          example: '5b0f9a1c-checkout-42',
        },
      },
    },
  };
}
