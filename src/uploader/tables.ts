// The uploader's tables as Kysely sees them. Token amounts and nonces are numeric in the database
// (read as decimal strings by both drivers, written as bigints, compared as numbers); int8 columns
// are plain numbers (the database layer refuses one past 2^53).
import type { ColumnType, Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

type Numeric = ColumnType<string, bigint, bigint>;
type Json<T> = ColumnType<T, string, string>;

/** One way of paying a provider: a chain and the tokens it takes there (`{SYMBOL: address}`). */
export interface PaymentMethod {
  chainId: number | string;
  acceptedTokens: Record<string, string>[];
}

export interface UploaderProvidersTable {
  id: GeneratedAlways<number>;
  type: string;
  description: string;
  url: string;
  payment: Json<PaymentMethod[]>;
  signer: string;
  registered_at: Date;
  last_registered_at: Date;
  active: Generated<boolean>;
}

export interface QuotedFile {
  length: number;
}

export interface UploaderQuotesTable {
  quote_id: string;
  provider_id: number;
  type: string;
  user_address: string;
  files: Json<QuotedFile[]>;
  total_bytes: number;
  token_amount: Numeric;
  approve_address: string;
  chain_id: number;
  token_address: string;
  created_at: Date;
  expires_at: Date;
  status: number;
  used_at: Date | null;
}

export interface UploaderNoncesTable {
  user_address: string;
  last_nonce: Numeric;
}

export type UploaderTables = {
  uploader_providers: UploaderProvidersTable;
  uploader_quotes: UploaderQuotesTable;
  uploader_nonces: UploaderNoncesTable;
};

export type ProviderRow = Selectable<UploaderProvidersTable>;
export type QuoteRow = Selectable<UploaderQuotesTable>;

/** The uploader's tables over any handle (a transaction included). */
export const uploader = (db: Db): Kysely<UploaderTables> => db.withTables<UploaderTables>();
