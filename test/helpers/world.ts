// A small registry world built through the API: an issuer, a producer account with a solar
// device, a trader account that accepts the producer's transfers, and an outsider.
import type { Client } from './server.ts';

export const SOLAR = { technology_code: 'T010101', fuel_code: 'F01040100' };
/** 1 MW: the limit for a one-hour interval is 1,100,000 Wh. */
export const CAPACITY_W = 1_000_000;

export function hour(
  n: number,
  base = '2025-06-01T00:00:00Z',
): { production_starting_interval: string; production_ending_interval: string } {
  const start = new Date(Date.parse(base) + n * 3_600_000);
  return {
    production_starting_interval: start.toISOString(),
    production_ending_interval: new Date(start.getTime() + 3_600_000).toISOString(),
  };
}

export async function expectStatus(
  reply: Promise<{ status: number; body: any }> | { status: number; body: any },
  status: number,
) {
  const r = await reply;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface World {
  issuer: { id: number; token: string };
  producer: { id: number; token: string };
  trader: { id: number; token: string };
  outsider: { id: number; token: string };
  producerAccount: number;
  traderAccount: number;
  outsiderAccount: number;
  device: number;
}

/**
 * Registers a device as the tests do: in Denmark's DK1 grid, operating since 2020, in Copenhagen's
 * time zone, issuing for disclosure; `fields` name it, its account, kind and size, and may override any of those.
 */
export async function registerDevice(s: Client, token: string, fields: Record<string, unknown>): Promise<number> {
  const body = {
    operational_date: '2020-01-01',
    country: 'DK',
    grid: 'DK1',
    location: { latitude: 55.68, longitude: 12.57 },
    time_zone: 'Europe/Copenhagen',
    issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure' },
    ...fields,
  };
  return (await expectStatus(s.request('POST', '/api/devices', { token, body }), 201)).id;
}

export async function buildWorld(s: Client): Promise<World> {
  const issuer = await s.user('issuer');
  const producer = await s.user('producer');
  const trader = await s.user('trader');
  const outsider = await s.user('trader', 'outsider');
  const producerAccount = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: producer.token, body: { account_name: 'Producer' } }),
      201,
    )
  ).id;
  const traderAccount = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: trader.token, body: { account_name: 'Trader' } }),
      201,
    )
  ).id;
  const outsiderAccount = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: outsider.token, body: { account_name: 'Outsider' } }),
      201,
    )
  ).id;
  await expectStatus(
    s.request('POST', `/api/accounts/${traderAccount}/whitelist`, {
      token: trader.token,
      body: { add: [producerAccount] },
    }),
    200,
  );
  const device = await registerDevice(s, producer.token, {
    device_name: 'Roof array',
    account_id: producerAccount,
    ...SOLAR,
    capacity: CAPACITY_W,
  });
  return { issuer, producer, trader, outsider, producerAccount, traderAccount, outsiderAccount, device };
}

/** Issues one bundle per given hour (offsets from 2025-06-01) and returns the bundles. */
export async function issue(s: Client, w: World, hours: Array<[number, number]>): Promise<any[]> {
  const body = await expectStatus(
    s.request('POST', '/api/certificates/issue', {
      token: w.issuer.token,
      body: { device_id: w.device, intervals: hours.map(([h, wh]) => ({ ...hour(h), wh })) },
    }),
    201,
  );
  return body.bundles;
}

/** `user` joins `account` the way membership needs: a member invites it and it accepts. */
export async function join(
  s: Client,
  account: number,
  member: { token: string },
  user: { id: number; token: string },
): Promise<void> {
  const invitation = await expectStatus(
    s.request('POST', `/api/accounts/${account}/members`, { token: member.token, body: { user_id: user.id } }),
    202,
  );
  await expectStatus(s.request('POST', `/api/invitations/${invitation.id}/accept`, { token: user.token }), 200);
}
