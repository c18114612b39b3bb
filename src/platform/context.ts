import type {
  FastifyInstance,
  FastifyBaseLogger,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';

/** How sessions are signed and how long their tokens live (identity/tokens.ts uses it). */
export interface TokenSettings {
  secret: Uint8Array;
  accessTtl: number;
  refreshTtl: number;
}

/** What every module's routes and jobs are given: nothing more. */
export interface AppContext {
  database: Database;
  config: Config;
  tokens: TokenSettings;
  log: Logger;
  /** The only source of the time: a test sets it rather than waiting. */
  clock: Clock;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
