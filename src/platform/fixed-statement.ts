// A statement whose shape never changes, built and compiled by Kysely once per process: every call
// after the first only puts its values in. Kysely builds a statement as a tree of frozen nodes and
// compiles it by walking the tree on every call; on a partial transfer that was about a sixth of
// the server's CPU (docs/benchmarks.md, "Kysely's share"), for statements that differ only in
// their values. The builder runs once, on the first call, with a placeholder for each value, so it
// must pass its values on untouched: no `if` on a value, no arithmetic on one, and no array that
// Kysely would spread into a list (`in`), whose length would be part of the statement. A value
// that does not reach the statement as a parameter of its own is refused before anything runs.
import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './database-interface.ts';

/** Stands for the call's value at `index` while the statement is built. */
class Placeholder {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

/** Builds and compiles the statement with a placeholder for each of the first call's `count` values. */
function compile<Args extends unknown[], Row>(
  db: Db,
  build: (db: Db, ...values: Args) => Compilable<Row>,
  count: number,
) {
  const placeholders = Array.from({ length: count }, (_, i) => new Placeholder(i));
  const compiled = build(db, ...(placeholders as Args)).compile();
  const lost = placeholders.find((p) => !compiled.parameters.includes(p));
  if (lost) throw new Error(`value ${lost.index} of a fixed statement is not among its parameters: ${compiled.sql}`);
  return compiled;
}

/**
 * `build` as a function of its values whose statement is compiled on the first call only; it
 * answers the statement's rows.
 */
export function fixedStatement<Args extends unknown[], Row>(
  build: (db: Db, ...values: Args) => Compilable<Row>,
): (db: Db, ...values: Args) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | undefined;
  return async (db, ...values) => {
    compiled ??= compile(db, build, values.length);
    const parameters = compiled.parameters.map((p) => (p instanceof Placeholder ? values[p.index] : p));
    const { rows } = await db.executeQuery<Row>({ ...compiled, parameters });
    return rows;
  };
}
