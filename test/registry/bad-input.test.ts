// Bad input to the writing endpoints: every refusal is a 4xx problem+json with a stable `code`,
// names the field at fault where there is one, and leaves the ledger exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Reply, type TestServer } from '../helpers/server.ts';
import { buildWorld, CAPACITY_W, hour, issue, SOLAR, type World } from '../helpers/world.ts';

const BODY_LIMIT = 2048;

type Who = 'issuer' | 'producer' | 'trader';
interface Ctx {
  w: World;
  bundle: number;
  issuedHour: number;
  /** The server's time, which stands still. */
  now: Date;
}
interface Case {
  name: string;
  path: string;
  as: Who;
  body: (c: Ctx) => unknown;
  status: number;
  code: string;
  /** The `errors[].field` that must name the offending field, when the problem is about one. */
  field?: string;
}

const HOUR_MS = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const FREE_HOUR = 5; // never issued in this file

const issueBody = (c: Ctx, interval: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  device_id: c.w.device,
  intervals: [{ ...hour(FREE_HOUR), wh: 1000, ...interval }],
  ...extra,
});
const transferBody = (c: Ctx, extra: Record<string, unknown> = {}) => ({
  source_id: c.w.producerAccount,
  target_id: c.w.traderAccount,
  granular_certificate_bundle_ids: [c.bundle],
  ...extra,
});
const cancelBody = (c: Ctx, extra: Record<string, unknown> = {}) => ({
  source_id: c.w.producerAccount,
  granular_certificate_bundle_ids: [c.bundle],
  beneficiary: 'ACME',
  ...extra,
});
const queryBody = (c: Ctx, extra: Record<string, unknown> = {}) => ({ source_id: c.w.producerAccount, ...extra });
const deviceBody = (c: Ctx, extra: Record<string, unknown> = {}) => ({
  device_name: 'Second array',
  account_id: c.w.producerAccount,
  ...SOLAR,
  capacity: 5000,
  operational_date: '2021-03-01',
  country: 'DK',
  grid: 'DK1',
  location: { latitude: 55.1, longitude: 12.1 },
  time_zone: 'Europe/Copenhagen',
  ...extra,
});
const startOfNextHour = (c: Ctx) => Math.floor(c.now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;

const ISSUE: Case[] = [
  {
    name: 'device_id as a string',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => ({ ...issueBody(c), device_id: String(c.w.device) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/device_id',
  },
  {
    name: 'device_id 0',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => ({ ...issueBody(c), device_id: 0 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/device_id',
  },
  {
    name: 'intervals missing',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => ({ device_id: c.w.device }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals',
  },
  {
    name: 'intervals empty',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, {}, { intervals: [] }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals',
  },
  {
    name: 'intervals as an object',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, {}, { intervals: { ...hour(FREE_HOUR), wh: 1 } }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals',
  },
  {
    name: 'unknown top-level field',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, {}, { devise_id: 1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/devise_id',
  },
  {
    name: 'unknown interval field',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { kwh: 1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/kwh',
  },
  {
    name: 'negative Wh',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: -5 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'zero Wh',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: 0 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'fractional Wh',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: 1.5 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'Wh as a string',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: '1000' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'Wh as a boolean',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: true }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'Wh beyond the safe integers',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: 2 ** 53 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'a start that is not a timestamp',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { production_starting_interval: 'yesterday' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/production_starting_interval',
  },
  {
    name: 'a timestamp without a time zone',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { production_starting_interval: '2025-06-01T05:00:00' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/intervals/0/production_starting_interval',
  },
  {
    name: 'a reversed interval',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 400,
    code: 'reversed_interval',
    field: 'body/intervals/0/production_ending_interval',
    body: (c) =>
      issueBody(c, {
        production_starting_interval: hour(FREE_HOUR).production_ending_interval,
        production_ending_interval: hour(FREE_HOUR).production_starting_interval,
      }),
  },
  {
    name: 'an empty interval',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 400,
    code: 'reversed_interval',
    field: 'body/intervals/0/production_ending_interval',
    body: (c) => issueBody(c, { production_ending_interval: hour(FREE_HOUR).production_starting_interval }),
  },
  {
    name: 'an interval of 61 minutes',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 400,
    code: 'interval_too_long',
    field: 'body/intervals/0/production_ending_interval',
    body: (c) =>
      issueBody(c, {
        production_ending_interval: at(Date.parse(hour(FREE_HOUR).production_starting_interval) + 61 * 60_000),
      }),
  },
  {
    name: 'an interval of 2 hours',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 400,
    code: 'interval_too_long',
    field: 'body/intervals/0/production_ending_interval',
    body: (c) => issueBody(c, { production_ending_interval: hour(FREE_HOUR + 1).production_ending_interval }),
  },
  {
    name: 'overlapping intervals in one request',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 400,
    code: 'overlapping_intervals',
    field: 'body/intervals/1',
    body: (c) =>
      issueBody(
        c,
        {},
        {
          intervals: [
            { ...hour(FREE_HOUR), wh: 10 },
            { ...hour(FREE_HOUR), wh: 10 },
          ],
        },
      ),
  },
  {
    name: 'an interval in the future',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 422,
    code: 'future_interval',
    field: 'body/intervals/0/production_ending_interval',
    body: (c) =>
      issueBody(c, {
        production_starting_interval: at(startOfNextHour(c)),
        production_ending_interval: at(startOfNextHour(c) + HOUR_MS),
      }),
  },
  {
    name: 'Wh over capacity × 1.1',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, { wh: CAPACITY_W * 1.1 + 1 }),
    status: 422,
    code: 'over_capacity',
    field: 'body/intervals/0/wh',
  },
  {
    name: 'the second of two intervals over capacity (all or nothing)',
    path: '/api/certificates/issue',
    as: 'issuer',
    status: 422,
    code: 'over_capacity',
    field: 'body/intervals/1/wh',
    body: (c) =>
      issueBody(
        c,
        {},
        {
          intervals: [
            { ...hour(FREE_HOUR), wh: 10 },
            { ...hour(FREE_HOUR + 1), wh: 2_000_000 },
          ],
        },
      ),
  },
  {
    name: 'an hour already issued',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => ({ device_id: c.w.device, intervals: [{ ...hour(c.issuedHour), wh: 1 }] }),
    status: 409,
    code: 'already_issued',
  },
  {
    name: 'an unknown device',
    path: '/api/certificates/issue',
    as: 'issuer',
    body: (c) => issueBody(c, {}, { device_id: 999_999 }),
    status: 404,
    code: 'device_not_found',
  },
  {
    name: 'a caller who is not an issuer',
    path: '/api/certificates/issue',
    as: 'producer',
    body: (c) => issueBody(c),
    status: 403,
    code: 'role_required',
  },
];

const TRANSFER: Case[] = [
  {
    name: 'source_id as a string',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { source_id: String(c.w.producerAccount) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/source_id',
  },
  {
    name: 'bundle ids not a list',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { granular_certificate_bundle_ids: c.bundle }),
    status: 400,
    code: 'invalid_request',
    field: 'body/granular_certificate_bundle_ids',
  },
  {
    name: 'a bundle id as a string',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { granular_certificate_bundle_ids: [String(c.bundle)] }),
    status: 400,
    code: 'invalid_request',
    field: 'body/granular_certificate_bundle_ids/0',
  },
  {
    name: 'no bundle ids',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { granular_certificate_bundle_ids: [] }),
    status: 400,
    code: 'invalid_request',
    field: 'body/granular_certificate_bundle_ids',
  },
  {
    name: 'a bundle id listed twice',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { granular_certificate_bundle_ids: [c.bundle, c.bundle] }),
    status: 400,
    code: 'duplicate_bundle_id',
    field: 'body/granular_certificate_bundle_ids',
  },
  {
    name: 'a negative quantity',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { certificate_quantity: -1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_quantity',
  },
  {
    name: 'a fractional quantity',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { certificate_quantity: 10.5 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_quantity',
  },
  {
    name: 'a quantity as a string',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { certificate_quantity: '10' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_quantity',
  },
  {
    name: 'more Wh than the bundles hold',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { certificate_quantity: 1001 }),
    status: 422,
    code: 'insufficient_quantity',
    field: 'body/certificate_quantity',
  },
  {
    name: 'an unknown field',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { target: c.w.traderAccount }),
    status: 400,
    code: 'invalid_request',
    field: 'body/target',
  },
  {
    name: 'no target',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { target_id: undefined }),
    status: 400,
    code: 'target_required',
    field: 'body/target_id',
  },
  {
    name: 'the source as target',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { target_id: c.w.producerAccount }),
    status: 400,
    code: 'same_account',
    field: 'body/target_id',
  },
  {
    name: 'a target that has not whitelisted the source',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { target_id: c.w.outsiderAccount }),
    status: 422,
    code: 'transfer_not_accepted',
    field: 'body/target_id',
  },
  {
    name: 'an unknown target, told apart from an unwilling one by nothing',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { target_id: 999_999 }),
    status: 422,
    code: 'transfer_not_accepted',
    field: 'body/target_id',
  },
  {
    name: 'an unknown bundle',
    path: '/api/certificates/transfer',
    as: 'producer',
    body: (c) => transferBody(c, { granular_certificate_bundle_ids: [999_999] }),
    status: 404,
    code: 'bundle_not_found',
  },
  {
    name: "another user's account as source",
    path: '/api/certificates/transfer',
    as: 'trader',
    body: (c) => transferBody(c, { target_id: c.w.outsiderAccount }),
    status: 404,
    code: 'account_not_found',
  },
];

const CANCEL: Case[] = [
  {
    name: 'no beneficiary',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { beneficiary: undefined }),
    status: 400,
    code: 'beneficiary_required',
    field: 'body/beneficiary',
  },
  {
    name: 'an empty beneficiary',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { beneficiary: '' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/beneficiary',
  },
  {
    name: 'a beneficiary as a number',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { beneficiary: 42 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/beneficiary',
  },
  {
    name: 'a purpose over 500 characters',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { purpose: 'p'.repeat(501) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/purpose',
  },
  {
    name: 'a zero quantity',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { certificate_quantity: 0 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_quantity',
  },
  {
    name: 'a transfer-only field',
    path: '/api/certificates/cancel',
    as: 'producer',
    body: (c) => cancelBody(c, { target_id: c.w.traderAccount }),
    status: 400,
    code: 'invalid_request',
    field: 'body/target_id',
  },
  {
    name: "a bundle of another account, from the caller's own account",
    path: '/api/certificates/cancel',
    as: 'trader',
    body: (c) => cancelBody(c, { source_id: c.w.traderAccount }),
    status: 409,
    code: 'bundle_not_in_account',
  },
  {
    name: "another user's account as source",
    path: '/api/certificates/cancel',
    as: 'trader',
    body: (c) => cancelBody(c),
    status: 404,
    code: 'account_not_found',
  },
];

const QUERY: Case[] = [
  {
    name: 'no source_id',
    path: '/api/certificates/query',
    as: 'producer',
    body: () => ({}),
    status: 400,
    code: 'invalid_request',
    field: 'body/source_id',
  },
  {
    name: 'source_id as a string',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { source_id: String(c.w.producerAccount) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/source_id',
  },
  {
    name: 'a limit of 0',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { limit: 0 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/limit',
  },
  {
    name: 'a limit over 1000',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { limit: 1001 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/limit',
  },
  {
    name: 'a limit as a string',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { limit: '10' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/limit',
  },
  {
    name: 'an unknown status',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { certificate_bundle_status: 'spent' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_bundle_status',
  },
  {
    name: 'a period start that is not a timestamp',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { certificate_period_start: '2025-13-01' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/certificate_period_start',
  },
  {
    name: 'a reversed period',
    path: '/api/certificates/query',
    as: 'producer',
    status: 400,
    code: 'reversed_period',
    field: 'body/certificate_period_end',
    body: (c) =>
      queryBody(c, {
        certificate_period_start: '2025-06-02T00:00:00Z',
        certificate_period_end: '2025-06-01T00:00:00Z',
      }),
  },
  {
    name: 'an unknown field',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { account_id: 1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_id',
  },
  {
    name: 'a cursor this server did not issue',
    path: '/api/certificates/query',
    as: 'producer',
    body: (c) => queryBody(c, { cursor: 'garbage' }),
    status: 400,
    code: 'invalid_cursor',
    field: 'body/cursor',
  },
  {
    name: "another user's account",
    path: '/api/certificates/query',
    as: 'trader',
    body: (c) => queryBody(c),
    status: 404,
    code: 'account_not_found',
  },
];

const ACCOUNTS: Case[] = [
  {
    name: 'no account_name',
    path: '/api/accounts',
    as: 'trader',
    body: () => ({}),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_name',
  },
  {
    name: 'account_name as a number',
    path: '/api/accounts',
    as: 'trader',
    body: () => ({ account_name: 7 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_name',
  },
  {
    name: 'an empty account_name',
    path: '/api/accounts',
    as: 'trader',
    body: () => ({ account_name: '' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_name',
  },
  {
    name: 'an account_name over 200 characters',
    path: '/api/accounts',
    as: 'trader',
    body: () => ({ account_name: 'a'.repeat(201) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_name',
  },
  {
    name: 'an unknown field',
    path: '/api/accounts',
    as: 'trader',
    body: () => ({ account_name: 'X', owner_id: 1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/owner_id',
  },
  {
    name: 'an array body',
    path: '/api/accounts',
    as: 'trader',
    body: () => [{ account_name: 'X' }],
    status: 400,
    code: 'invalid_request',
    field: 'body',
  },
];

const DEVICES: Case[] = [
  {
    name: 'no device_name',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { device_name: undefined }),
    status: 400,
    code: 'invalid_request',
    field: 'body/device_name',
  },
  {
    name: 'account_id as a string',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { account_id: String(c.w.producerAccount) }),
    status: 400,
    code: 'invalid_request',
    field: 'body/account_id',
  },
  {
    name: 'a negative capacity',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { capacity: -1 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/capacity',
  },
  {
    name: 'a fractional capacity',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { capacity: 1000.5 }),
    status: 400,
    code: 'invalid_request',
    field: 'body/capacity',
  },
  {
    name: 'capacity as a string',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { capacity: '1000' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/capacity',
  },
  {
    name: 'a malformed technology code',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { technology_code: 'solar' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/technology_code',
  },
  {
    name: 'codes not in the EECS table',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { technology_code: 'T999999', fuel_code: 'F99999999' }),
    status: 400,
    code: 'unknown_technology',
    field: 'body/technology_code',
  },
  {
    name: 'an energy source that contradicts the codes',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { energy_source: 'wind' }),
    status: 400,
    code: 'energy_source_mismatch',
    field: 'body/energy_source',
  },
  {
    name: 'an impossible date',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { operational_date: '2021-02-30' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/operational_date',
  },
  {
    name: 'a lower-case country',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { country: 'dk' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/country',
  },
  {
    name: 'a latitude over 90',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { location: { latitude: 91, longitude: 0 } }),
    status: 400,
    code: 'invalid_request',
    field: 'body/location/latitude',
  },
  {
    name: 'an unknown location field',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { location: { latitude: 1, longitude: 1, altitude: 3 } }),
    status: 400,
    code: 'invalid_request',
    field: 'body/location/altitude',
  },
  {
    name: 'an unknown time zone',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { time_zone: 'Mars/Olympus' }),
    status: 400,
    code: 'invalid_time_zone',
    field: 'body/time_zone',
  },
  {
    name: 'an unknown field',
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { colour: 'blue' }),
    status: 400,
    code: 'invalid_request',
    field: 'body/colour',
  },
  {
    name: "another user's account",
    path: '/api/devices',
    as: 'producer',
    body: (c) => deviceBody(c, { account_id: c.w.traderAccount }),
    status: 404,
    code: 'account_not_found',
  },
  {
    name: 'a caller who is neither producer nor issuer',
    path: '/api/devices',
    as: 'trader',
    body: (c) => deviceBody(c, { account_id: c.w.traderAccount }),
    status: 403,
    code: 'role_required',
  },
];

/** The writing endpoints and a caller allowed to use each. */
const ENDPOINTS: Array<{ path: string; as: Who }> = [
  { path: '/api/certificates/issue', as: 'issuer' },
  { path: '/api/certificates/transfer', as: 'producer' },
  { path: '/api/certificates/cancel', as: 'producer' },
  { path: '/api/certificates/query', as: 'producer' },
  { path: '/api/accounts', as: 'trader' },
  { path: '/api/devices', as: 'producer' },
];

function expectProblem(reply: Reply, status: number, code: string, field?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code, type: `urn:tally:problem:${code}`, detail: expect.any(String) });
  if (field !== undefined) expect(reply.body.errors?.map((e: { field: string }) => e.field)).toContain(field);
}

describe('bad input', () => {
  let s: TestServer;
  let ctx: Ctx;
  let snapshot: unknown;
  const token = (who: Who) => ctx.w[who].token;
  const producerBundles = async () =>
    (
      await s.request('POST', '/api/certificates/query', {
        token: token('producer'),
        body: { source_id: ctx.w.producerAccount },
      })
    ).body;

  beforeAll(async () => {
    s = await startServer({ TALLY_BODY_LIMIT: String(BODY_LIMIT) });
    const w = await buildWorld(s);
    const [bundle] = await issue(s, w, [[0, 1000]]);
    ctx = { w, bundle: bundle.id, issuedHour: 0, now: s.clock.now() };
    snapshot = await producerBundles();
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Sends the request and checks it was refused as expected without appending any event. */
  async function refused(send: () => Promise<Reply>, status: number, code: string, field?: string): Promise<Reply> {
    const before = await s.eventCount();
    const reply = await send();
    expectProblem(reply, status, code, field);
    expect(await s.eventCount()).toBe(before);
    return reply;
  }

  describe.each([
    ['POST /api/certificates/issue', ISSUE],
    ['POST /api/certificates/transfer', TRANSFER],
    ['POST /api/certificates/cancel', CANCEL],
    ['POST /api/certificates/query', QUERY],
    ['POST /api/accounts', ACCOUNTS],
    ['POST /api/devices', DEVICES],
  ])('%s', (_route, cases) => {
    it.each(cases)('refuses $name: $status $code', async ({ path, as, body, status, code, field }) => {
      await refused(() => s.request('POST', path, { token: token(as), body: body(ctx) }), status, code, field);
    });
  });

  describe.each(ENDPOINTS)('POST $path', ({ path, as }) => {
    it('refuses malformed JSON with 400 naming the body', async () => {
      await refused(
        () =>
          s.request('POST', path, {
            token: token(as),
            raw: '{"source_id": 1,',
            headers: { 'content-type': 'application/json' },
          }),
        400,
        'ctp_invalid_json_body',
        'body',
      );
    });

    it('refuses an empty JSON body with 400', async () => {
      await refused(
        () => s.request('POST', path, { token: token(as), raw: '', headers: { 'content-type': 'application/json' } }),
        400,
        'ctp_empty_json_body',
        'body',
      );
    });

    it('refuses a JSON scalar where an object is expected', async () => {
      await refused(
        () => s.request('POST', path, { token: token(as), raw: '42', headers: { 'content-type': 'application/json' } }),
        400,
        'invalid_request',
        'body',
      );
    });

    it('refuses a body whose type it does not read with 415', async () => {
      await refused(
        () =>
          s.request('POST', path, { token: token(as), raw: '<x/>', headers: { 'content-type': 'application/xml' } }),
        415,
        'ctp_invalid_media_type',
      );
    });

    it(`refuses a body over TALLY_BODY_LIMIT (${BODY_LIMIT} bytes) with 413`, async () => {
      await refused(
        () => s.request('POST', path, { token: token(as), body: { padding: 'x'.repeat(BODY_LIMIT + 1) } }),
        413,
        'ctp_body_too_large',
        'body',
      );
    });
  });

  describe('values PostgreSQL cannot store', () => {
    it('refuses a NUL character in any text, naming the field', async () => {
      await refused(
        () => s.request('POST', '/api/accounts', { token: token('trader'), body: { account_name: 'a\u0000b' } }),
        400,
        'invalid_text',
        'body/account_name',
      );
      await refused(
        () =>
          s.request('POST', '/api/certificates/cancel', {
            token: token('producer'),
            body: {
              source_id: ctx.w.producerAccount,
              granular_certificate_bundle_ids: [ctx.bundle],
              beneficiary: '\u0000',
            },
          }),
        400,
        'invalid_text',
        'body/beneficiary',
      );
      await refused(
        () => s.request('GET', '/api/events?type=%00', { token: token('producer') }),
        400,
        'invalid_text',
        'querystring/type',
      );
    });

    it('refuses the year 0000, which PostgreSQL does not have', async () => {
      const interval = {
        production_starting_interval: '0000-06-01T00:00:00Z',
        production_ending_interval: '0000-06-01T01:00:00Z',
        wh: 1,
      };
      await refused(
        () =>
          s.request('POST', '/api/certificates/issue', {
            token: token('issuer'),
            body: { device_id: ctx.w.device, intervals: [interval] },
          }),
        400,
        'invalid_request',
        'body/intervals/0/production_starting_interval',
      );
      await refused(
        () =>
          s.request('POST', '/api/certificates/query', {
            token: token('producer'),
            body: { source_id: ctx.w.producerAccount, certificate_period_start: '0000-01-01T00:00:00Z' },
          }),
        400,
        'invalid_request',
        'body/certificate_period_start',
      );
    });
  });

  it('leaves the bundles exactly as they were after every refusal', async () => {
    expect(await producerBundles()).toEqual(snapshot);
    const outsiderView = await s.request('GET', `/api/certificates/${ctx.bundle}`, { token: ctx.w.outsider.token });
    expectProblem(outsiderView, 404, 'bundle_not_found');
  });

  it.each([
    ['GET', '/api/nope'],
    ['POST', '/api/certificates/nope'],
    ['DELETE', '/api/certificates/issue'],
    ['PUT', '/api/accounts'],
    ['GET', '/nope'],
  ])('answers %s %s with 404 route_not_found', async (method, path) => {
    const reply = await refused(() => s.request(method, path, { token: ctx.w.trader.token }), 404, 'route_not_found');
    expect(reply.body).toMatchObject({ title: 'Not Found', instance: path, detail: `no route ${method} ${path}` });
  });
});
