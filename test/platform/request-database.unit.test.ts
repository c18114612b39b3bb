// A request's work runs on the request's database (`request.db`, `request.database`): for a traced
// request that is a handle of its own, which is how its queries reach its trace
// (platform/http/request-database.ts). A route that captured the process's database when it was
// registered would run untraced, silently; this holds every module to the rule.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sources(SRC).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));
/** Where HTTP work is declared: a module's routes, and the faces. */
const routing = files.filter((f) => /(^|\/)routes(\.ts$|\/)/.test(f.path) || f.path.startsWith('faces/'));

it("leaves the process database's parts to the platform and the composition roots", () => {
  const reaching = files
    .filter((f) => !f.path.startsWith('platform/') && f.path !== 'app.ts' && f.path !== 'cli.ts')
    // Handing the database whole to the platform (a server of its own) is theirs too.
    .filter((f) => /\bctx\.database\.\w+/.test(f.text))
    .map((f) => f.path);
  expect(reaching).toEqual([]);
});

it('has every route take its database from the request', () => {
  expect(routing.map((f) => f.path)).toContain('registry/routes/certificates.ts');
  expect(routing.map((f) => f.path)).toContain('faces/energytag/certificates.ts');
  // `x.db` of anything but the request: a handle captured outside the request (`m.db`, `ctx.db`).
  const capturing = routing.filter((f) => /\b(?!request\b)\w+\.db\b/.test(f.text)).map((f) => f.path);
  expect(capturing).toEqual([]);
});
