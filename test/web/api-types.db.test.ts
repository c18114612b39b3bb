// The UI's API types are written from the API's own OpenAPI document (scripts/web-types.ts): the
// checked-in web/src/api/schema.d.ts must be exactly what the API says now, so a changed route or
// field fails here until `npm run web:types` is run (and then the UI's type check, if it no longer fits).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, TYPES_FILE } from '../../scripts/web-types.ts';

// The document comes from an in-memory database of its own, whatever the suite runs on: once is enough.
describe.skipIf(process.env.TEST_DATABASE_URL)('web UI API types', () => {
  it('match the OpenAPI document the server writes (npm run web:types)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await apiTypes());
  });
});
