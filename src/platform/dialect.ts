// A Kysely dialect is four factories; Tally sometimes needs one that differs from another only in
// its driver: read routing (a driver over two pools, database.ts) and tracing (the driver kept
// for the requests' own handles, query-spans.ts).
import type { Dialect, Driver } from 'kysely';

/** `dialect` with the driver `createDriver` makes; its compiler, adapter and introspector as they are. */
export const withDriver = (dialect: Dialect, createDriver: () => Driver): Dialect => ({
  createDriver,
  createQueryCompiler: () => dialect.createQueryCompiler(),
  createAdapter: () => dialect.createAdapter(),
  createIntrospector: (db) => dialect.createIntrospector(db),
});
