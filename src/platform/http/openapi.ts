// The OpenAPI 3.1 document, written from the very schemas that validate requests and shape answers.
// @fastify/swagger walks the routes; this file adds what a client generator needs: shared schemas
// under components (schemas.ts `component`), referenced from requests and answers, and the answers
// and parameters several operations repeat, referenced from each; every problem an operation may
// answer with, as application/problem+json with its codes from the catalogue; `security: []` on
// public routes; the Idempotency-Key header on the routes that honour it, and Tally-Read-After on
// the routes that only read.
import { VERSION } from '../version.ts';
import { createHash } from 'node:crypto';
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
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 4);

/** The problems every route of a kind can answer with, whatever its module does. */
function commonProblems(route: RouteOptions): ProblemCode[] {
  const schema = route.schema ?? {};
  const config = route.config ?? {};
  const methods = [route.method].flat();
  // A route that only reads changes nothing whatever its method (a query with its filter as the body).
  const writing = !config.readOnly && methods.some((m) => WRITING.has(m));
  const codes: ProblemCode[] = [];
  if (config.readOnly) codes.push('invalid_read_after');
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
    codes.push('unauthorized');
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

  ref(schema: unknown, root?: string): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.ref(s));
    if (!isObject(schema)) return schema;
    const name = schema[COMPONENT];
    if (typeof name === 'string' && name !== root) {
      // Compared as the document shows it: @fastify/swagger respells a request's copy (`const` as `enum`).
      const shown = this.ref(schema, name) as Json;
      const known = this.schemas.get(name);
      if (!known) this.schemas.set(name, shown);
      else if (JSON.stringify({ ...known, description: null }) !== JSON.stringify({ ...shown, description: null }))
        throw new Error(`two different schemas are both named ${name}`);
      const reference: Json = { $ref: `#/components/schemas/${name}` };
      // OpenAPI 3.1 lets a reference carry its own description, where a use says more than the component.
      if (known && shown.description !== known.description && typeof shown.description === 'string')
        reference.description = shown.description;
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
  // `X or null` becomes X with "null" among its types, as JSON Schema 2020-12 writes it.
  if (Array.isArray(members) && members.length === 2 && isObject(members[0]) && isObject(members[1])) {
    const [value, nothing] = members;
    const plain = typeof value.type === 'string' && !('enum' in value) && !(value.description && schema.description);
    if (plain && nothing.type === 'null' && Object.keys(nothing).length === 1) {
      delete schema.anyOf;
      Object.assign(schema, { ...value, ...schema, type: [value.type, 'null'] });
      return schema;
    }
  }
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

/**
 * Applies `openApiSpelling` through a part of the document @fastify/swagger wrote (request bodies,
 * parameters); a marked component in a request is referenced, as in an answer.
 */
function respell(node: unknown, components: Components): unknown {
  if (Array.isArray(node)) return node.map((n) => respell(n, components));
  if (!isObject(node)) return node;
  if (typeof node[COMPONENT] === 'string') return components.ref(node);
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    // `required: false` is every parameter's default.
    if (key === 'required' && value === false) continue;
    out[key] = key === 'example' || key === 'examples' || key === 'default' ? value : respell(value, components);
  }
  return openApiSpelling(out);
}

/** The document's answer for each problem status of a route, from the codes it may send. */
function problemResponses(codes: ProblemCode[]): Json {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const status = PROBLEM_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, problemResponse(status, list)]));
}

/** A problem answer: the Problem schema, narrowed to the codes this status may carry here. */
function problemResponse(status: number, codes: ProblemCode[]): Json {
  return {
    description: TITLES[status] ?? 'Error',
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: codes } } }] },
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
    // A component is referenced whole, its example with it; an answer of its own is written out here.
    const own = typeof answer[COMPONENT] !== 'string';
    const example = own && Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {};
    out[status] = { description, content: { [media]: { schema: components.ref(own ? rest : answer), ...example } } };
  }
  return out;
}

/**
 * The catalogue, as the Problem schema's `code`: the enum of every code Tally sends. Each answer
 * narrows it to the codes of its status on its route; the meanings are in problem-codes.ts (the
 * document must stay under 200 kB).
 */
function problemComponent(components: Components): Json {
  const problem = components.ref(ProblemSchema, 'Problem') as Json;
  const properties = problem.properties as Json;
  properties.code = { ...(properties.code as Json), enum: Object.keys(PROBLEM_CODES) };
  return problem;
}

export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  const components = new Components();
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tally API',
        version: VERSION,
        description:
          'Hourly Granular Certificates from metered energy: accounts, devices, issuance, ' +
          'transfer, cancellation and claims, with an append-only ledger of every change. ' +
          'Errors are RFC 9457 problem+json with a stable `code` (the Problem schema ' +
          'lists them all). Writing requests accept an `Idempotency-Key` header.',
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
        response: { ...successResponses(schema, components), ...failures },
        ...(route.config?.access === 'public' ? { security: [] } : {}),
      };
      return { schema: doc as typeof schema, url };
    },
    transformObject: (document) =>
      finish(('openapiObject' in document ? document.openapiObject : {}) as Json, components),
  });
}

/**
 * Components of one kind (answers, parameters) for what several operations repeat, each named after
 * what it is; where two differ under one name, the one used most keeps the plain name and the others
 * get a digest of themselves after it.
 */
class Repeats {
  readonly components: Json = {};
  private readonly uses = new Map<string, { name: string; count: number }>();
  private readonly keys = new Map<string, string>();

  private readonly kind: string;

  constructor(kind: string) {
    this.kind = kind;
  }

  count(value: unknown, name: string): void {
    const json = JSON.stringify(value);
    const use = this.uses.get(json) ?? { name, count: 0 };
    use.count++;
    this.uses.set(json, use);
  }

  /** Names the repeated values, once all are counted. */
  name(): void {
    const repeated = [...this.uses].filter(([, use]) => use.count > 1).sort(([, a], [, b]) => b.count - a.count);
    for (const [json, { name }] of repeated) {
      const key = this.components[name] === undefined ? name : `${name}-${digest(JSON.parse(json))}`;
      this.components[key] = JSON.parse(json);
      this.keys.set(json, key);
    }
  }

  /** A reference to the component holding `value`, or `value` if it is not repeated. */
  ref(value: unknown): unknown {
    const key = this.keys.get(JSON.stringify(value));
    return key === undefined ? value : { $ref: `#/components/${this.kind}/${key}` };
  }
}

/**
 * Moves each answer and parameter that several operations repeat to components, referenced from
 * each: the same component answered, the same problem codes for a status, the same parameter.
 */
function shareRepeats(operations: Json[]): { responses: Json; parameters: Json } {
  const responses = new Repeats('responses');
  const parameters = new Repeats('parameters');
  // A problem answer is named after its status; a success answer is shared only when it is a
  // component, after which it is named (an answer of its own stays where it is read).
  const answers = (operation: Json) =>
    Object.entries(operation.responses as Json).flatMap(([status, answer]) => {
      const schema = Object.values(((answer as Json).content ?? {}) as Record<string, Json>)[0]?.schema as Json;
      const component = typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
      const name = Number(status) >= 400 ? status : component;
      return name === undefined ? [] : [{ status, answer, name }];
    });
  // A parameter is named after its own name: `member_id` as MemberId.
  const named = (operation: Json) =>
    ((operation.parameters as Json[] | undefined) ?? []).map((parameter) => ({
      parameter,
      name: String(parameter.name ?? '').replace(/(?:^|_)(\w)/g, (_, c: string) => c.toUpperCase()),
    }));
  for (const operation of operations) {
    for (const { answer, name } of answers(operation)) responses.count(answer, name);
    for (const { parameter, name } of named(operation)) if (!parameter.$ref) parameters.count(parameter, name);
  }
  responses.name();
  parameters.name();
  for (const operation of operations) {
    const byStatus = operation.responses as Json;
    for (const { status, answer } of answers(operation)) byStatus[status] = responses.ref(answer);
    if (operation.parameters) operation.parameters = (operation.parameters as Json[]).map((p) => parameters.ref(p));
  }
  return { responses: responses.components, parameters: parameters.components };
}

/**
 * Adds the components the operations reference, the Idempotency-Key header of writing routes and the
 * Tally-Read-After header of the routes that only read.
 */
function finish(document: Json, components: Components): Json {
  const problem = problemComponent(components);
  const paths = respell(document.paths, components) as Record<string, Record<string, Json>>;
  const operations: Json[] = [];
  for (const byMethod of Object.values(paths)) {
    for (const [method, operation] of Object.entries(byMethod)) {
      operations.push(operation);
      const header = operation['x-read-only']
        ? 'ReadAfter'
        : WRITING.has(method.toUpperCase()) && !operation['x-mints-secrets']
          ? 'IdempotencyKey'
          : undefined;
      if (header)
        operation.parameters = [
          ...((operation.parameters as unknown[]) ?? []),
          { $ref: `#/components/parameters/${header}` },
        ];
    }
  }
  const shared = shareRepeats(operations);
  const existing = document.components as Json;
  return {
    ...document,
    paths,
    components: {
      ...existing,
      schemas: Object.fromEntries(
        [...components.schemas, ['Problem', problem] as const].sort(([a], [b]) => a.localeCompare(b)),
      ),
      responses: shared.responses,
      parameters: {
        ...shared.parameters,
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Any 1 to 255 characters, new for each change: a retry with the same key and body gets the first answer ' +
            'again instead of a second change (kept 24 hours).',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
          example: '5b0f9a1c-checkout-42',
        },
        ReadAfter: {
          name: 'Tally-Read-After',
          in: 'header',
          required: false,
          description:
            'With a read replica configured (DATABASE_READ_URL), this route may be answered from the replica; ' +
            'send the `Tally-Commit-LSN` a write answered with, and the answer includes that write (the replica ' +
            'is waited for briefly, else the primary answers). The caller’s own writes through the same process ' +
            'are included without it. `Tally-Read-From` says which database answered.',
          schema: { type: 'string', pattern: '^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$' },
          example: '16/B374D848',
        },
      },
    },
  };
}
