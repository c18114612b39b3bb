// The EnergyTag GC API draft as a test reads it: the document (its duplicate keys read as YAML
// does, the last one kept), an Ajv validator for any operation's answer, and the places where
// Tally's answers deviate from it on purpose (docs/energytag-conformance.md).
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const DRAFT_PATH = new URL('../../docs/reference/energytag-gc-api-v2-draft.openapi.yaml', import.meta.url);

type Schema = Record<string, any>;
export interface Draft {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
}

export function loadDraft(): Draft {
  return parse(readFileSync(DRAFT_PATH, 'utf8'), { uniqueKeys: false }) as Draft;
}

/**
 * Deliberate deviations from the draft's answer schemas, each in docs/energytag-conformance.md:
 * an account that belongs to no organisation shows none, and Tally keeps no peak demand of a device.
 */
const DEVIATIONS: Record<string, { notRequired: string[] }> = {
  AccountRead: { notRequired: ['organisation'] },
  DeviceRead: { notRequired: ['peak_demand'] },
};

export function draftValidator(draft: Draft) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const schemas = structuredClone(draft.components.schemas);
  for (const [name, { notRequired }] of Object.entries(DEVIATIONS)) {
    const s = schemas[name];
    if (s) s.required = (s.required as string[]).filter((r) => !notRequired.includes(r));
  }
  ajv.addSchema({ $id: 'draft', components: { schemas } });
  const cache = new Map<string, ValidateFunction>();
  const compiled = (ref: string) => {
    let v = cache.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: `draft#/components/schemas/${ref}` });
      cache.set(ref, v);
    }
    return v;
  };
  /** The schema name the draft gives `status` of `method path` (401 and 404: HTTPValidationError, as every refusal). */
  const schemaOf = (method: string, path: string, status: number): string => {
    if (status === 401 || status === 404 || status === 422) return 'HTTPValidationError';
    // The correct spelling Tally adds beside the draft's `reseve` answers as that does.
    const op = draft.paths[path.replace(/\/reserve$/, '/reseve')]?.[method.toLowerCase()];
    const ref = op?.responses?.[String(status)]?.content?.['application/json']?.schema?.$ref as string | undefined;
    if (!ref) throw new Error(`the draft declares no ${status} for ${method} ${path}`);
    return ref.slice(ref.lastIndexOf('/') + 1);
  };
  return {
    /** Errors of `body` against what the draft declares for this answer, or [] when it conforms. */
    check(method: string, path: string, status: number, body: unknown): string[] {
      const v = compiled(schemaOf(method, path, status));
      return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
    schemaOf,
  };
}

/** A GET with a JSON body, as the draft's query operations take (fetch refuses to send one). */
export function getWithBody(
  url: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'GET',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: answer ? JSON.parse(answer) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
