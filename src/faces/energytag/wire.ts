// The draft's wire format: its one refusal shape (FastAPI's HTTPValidationError, `{detail:[{loc,
// msg,type}]}`), how Tally's errors become it, and the draft's words for Tally's statuses, roles and
// energy sources.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TallyError } from '../../platform/errors.ts';
import { RACE_CODES, validationField } from '../../platform/http/problems.ts';
import type { Role } from '../../platform/principal.ts';
import { type BundleStatus, ENERGY_SOURCES, STATUSES } from '../../registry/index.ts';

export interface ValidationError {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** A refusal of the face: a status and the draft's `detail` list. */
export class DraftError extends Error {
  readonly status: number;
  readonly detail: ValidationError[];

  constructor(status: number, detail: ValidationError[]) {
    super(detail.map((d) => d.msg).join('; '));
    this.status = status;
    this.detail = detail;
  }
}

/** A 422 naming one field of the body (or another part: `['path', 'id']`). */
export const refuse = (loc: string | Array<string | number>, msg: string, type = 'value_error') =>
  new DraftError(422, [{ loc: typeof loc === 'string' ? ['body', loc] : loc, msg, type }]);

/**
 * The draft's names of the fields Tally's functions name in their refusals, where the face reads
 * them under another name (the device's account is the draft's `id`, an issuance's Wh its
 * `bundle_quantity`); the bundle ids an action takes are the face's own choice, so the body.
 */
const DRAFT_FIELDS: Array<[RegExp, string]> = [
  [/^body\/(account_id|device_id)$/, 'body/id'],
  [/^body\/location(\/.*)?$/, 'body/device_location'],
  [/^body\/intervals\/\d+\/wh$/, 'body/bundle_quantity'],
  [/^body\/intervals\/\d+\/(production_\w+)$/, 'body/$1'],
  [/^body\/(intervals|granular_certificate_bundle_ids)(\/.*)?$/, 'body'],
  [/^body\/(add|remove)$/, 'body/whitelist_$1'],
  // create_scr's certificates are the bundles of its gc_issuance_id and range.
  [/^body\/certificates\/\w+$/, 'body/gc_issuance_id'],
  [/^querystring\//, 'query/'],
  [/^body\/certificate_bundle_id_range_(start|end)$/, 'body/source_certificate_certificate_bundle_id_range_$1'],
  [/^body\/issuance_id$/, 'body/source_certificate_issuance_id'],
];

/** A field path as a `loc`, its array indexes as numbers. */
const asLoc = (field: string): Array<string | number> =>
  field.split('/').map((part) => (/^\d+$/.test(part) ? Number(part) : part));

/** Tally's field path (`body/intervals/0/wh`) as the draft's `loc` (`["body", "bundle_quantity"]`). */
function locOf(path: string): Array<string | number> {
  // A standing order's filter is the registry's `selection`; the draft's filter fields are the body's own.
  const field = path.replace(/^body\/selection\//, 'body/');
  const rule = DRAFT_FIELDS.find(([pattern]) => pattern.test(field));
  return asLoc(rule ? field.replace(rule[0], rule[1]) : field);
}

/**
 * Any error as the face answers it. The draft declares 422 alone for refusals, so every refused
 * request is 422 (bad input, a refused rule, something the caller may not see or do), but a
 * missing or bad token (401) and too many logins (429); anything else is a bug (500).
 */
export function toDraft(err: unknown, request: FastifyRequest): DraftError {
  if (err instanceof DraftError) return err;
  if (err instanceof TallyError) {
    const status = err.status === 401 || err.status === 429 ? err.status : err.status >= 500 ? 500 : 422;
    if (status === 401)
      return new DraftError(401, [{ loc: ['header', 'authorization'], msg: err.message, type: err.code }]);
    const fields = err.errors?.length ? err.errors : [{ field: 'body', message: err.message }];
    return new DraftError(
      status,
      fields.map((f) => ({ loc: locOf(f.field), msg: f.message, type: err.code })),
    );
  }
  const e = err as FastifyError;
  if (e.validation) {
    const part =
      e.validationContext === 'querystring'
        ? request.energytagBody
          ? 'body'
          : 'query'
        : (e.validationContext ?? 'body');
    return new DraftError(
      422,
      e.validation.map((v) => ({
        loc: asLoc(validationField(v, part)),
        msg: v.message ?? 'invalid',
        type: `value_error.${v.keyword}`,
      })),
    );
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return new DraftError(e.statusCode === 429 ? 429 : 422, [
      { loc: ['body'], msg: e.message, type: e.code ?? 'invalid' },
    ]);
  const race = e.code === undefined ? undefined : RACE_CODES[e.code];
  if (race) return new DraftError(422, [{ loc: ['body'], msg: race, type: 'conflict' }]);
  return new DraftError(500, [{ loc: [], msg: 'internal error', type: 'internal_error' }]);
}

export function sendDraftError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toDraft(err, request);
  if (e.status >= 500) request.log.error({ err }, 'EnergyTag face request failed');
  if (e.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(e.status).send({ detail: e.detail });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The query route's filter came as a JSON body (the draft's GET with a body). */
    energytagBody?: boolean;
  }
}

/** The draft's statuses are capitalised: Active, Cancelled, … */
export const draftStatus = (s: BundleStatus): string => s.charAt(0).toUpperCase() + s.slice(1);
/** A status in the draft's words or Tally's, in any case; undefined when it is neither. */
export const tallyStatus = (text: string): BundleStatus | undefined =>
  STATUSES.find((s) => s === text.trim().toLowerCase());

type EnergySource = (typeof ENERGY_SOURCES)[number];
/** The draft's examples of energy sources (Solar, Gas, …) where they are not Tally's own word. */
const SOURCE_WORDS: Record<string, EnergySource> = {
  solar: 'solar_pv',
  gas: 'natural_gas',
  naturalgas: 'natural_gas',
  storage: 'battery_storage',
  battery: 'battery_storage',
};
/** An energy source in Tally's words (solar_pv) or the draft's (Solar, Gas), in any case. */
export function tallySource(text: string): EnergySource | undefined {
  const word = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return ENERGY_SOURCES.find((s) => s === word) ?? SOURCE_WORDS[word.replace(/_/g, '')];
}

/** Tally's roles in the draft's words ("a single User can be assigned multiple roles": Tally gives one). */
export const ROLE_WORDS: Record<Role, string> = {
  admin: 'Registry Administrator',
  issuer: 'GC Issuer',
  producer: 'Production Registrar',
  trader: 'Account Holder',
  auditor: 'Auditor',
};
export function tallyRole(text: string): Role | undefined {
  const t = text.trim().toLowerCase();
  return (Object.keys(ROLE_WORDS) as Role[]).find((r) => r === t || ROLE_WORDS[r].toLowerCase() === t);
}
