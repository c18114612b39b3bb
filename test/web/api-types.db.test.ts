// The UI's API types are written from the API's own OpenAPI document (scripts/web-types.ts): the
// checked-in web/src/api/schema.d.ts must be exactly what the API says now, so a changed route or
// field fails here until `npm run web:types` is run (and then the UI's type check, if it no longer fits).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, TYPES_FILE } from '../../scripts/web-types.ts';

describe('web UI API types', () => {
  it('match the OpenAPI document the server writes (npm run web:types)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await apiTypes());
  });
});
