// Read routing: read-only work may go to a streaming replica (DATABASE_READ_URL), and a caller
// who has just written must still read what it wrote. The HTTP layer (http/read-routing.ts) decides
// per request; this file keeps what the decision needs: which way the current work's queries go
// (an AsyncLocalStorage store, so modules never pass anything along), a Kysely driver that follows
// it, and how far the replica has replayed the primary's write-ahead log.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';

const replicaReads = new AsyncLocalStorage<true>();

/** Runs `work` with every connection it takes from the pool taken from the replica's. */
export const onReplica = <T>(work: () => T): T => replicaReads.run(true, work);

/** Whether the work running now was sent to the replica (`onReplica`). */
export const readingOnReplica = (): boolean => replicaReads.getStore() === true;

/**
 * A position in the write-ahead log (`pg_lsn`, written `16/B374D848`), as a number that compares:
 * the high 32 bits, then the low.
 */
export type LogPosition = bigint;

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The position `text` spells, or undefined when it is no `pg_lsn`. */
export function parseLogPosition(text: string): LogPosition | undefined {
  const m = LSN.exec(text);
  return m ? (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`) : undefined;
}

export const formatLogPosition = (position: LogPosition): string =>
  `${(position >> 32n).toString(16).toUpperCase()}/${(position & 0xffffffffn).toString(16).toUpperCase()}`;

/** What the database offers for read routing when a replica is configured. */
export interface Replica {
  /** Where the primary's log ends now: every transaction committed before the call is at or below it. */
  primaryPosition(): Promise<LogPosition>;
  /**
   * How far the replica has replayed; null when it replays nothing because it is no standby (it is
   * the primary itself), and so is always current. Throws when the replica cannot be reached.
   */
  replayed(): Promise<LogPosition | null>;
}

/**
 * A Kysely driver over two: the replica's while the current work runs `onReplica`, the primary's
 * otherwise. A connection goes back to the driver it came from, so a transaction opened on one
 * stays there to its end.
 */
export class ReadRoutingDriver implements Driver {
  readonly #from = new WeakMap<DatabaseConnection, Driver>();
  readonly primary: Driver;
  readonly replica: Driver;

  constructor(primary: Driver, replica: Driver) {
    this.primary = primary;
    this.replica = replica;
  }

  async init(): Promise<void> {
    await Promise.all([this.primary.init(), this.replica.init()]);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const driver = readingOnReplica() ? this.replica : this.primary;
    const connection = await driver.acquireConnection();
    this.#from.set(connection, driver);
    return connection;
  }

  #driverOf(connection: DatabaseConnection): Driver {
    const driver = this.#from.get(connection);
    if (!driver) throw new Error('a connection this driver did not lend');
    return driver;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#driverOf(connection).beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driverOf(connection).commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driverOf(connection).rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#driverOf(connection).savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#driverOf(connection).rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#driverOf(connection).releaseSavepoint?.(connection, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const driver = this.#driverOf(connection);
    this.#from.delete(connection);
    await driver.releaseConnection(connection);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.primary.destroy(), this.replica.destroy()]);
  }
}
