// Organisations under random sequences of operations (fast-check), against a model: every answer's
// status is the model's, a refusal changes nothing, `tally check` finds nothing after each step,
// an organisation is deleted exactly when it owns no open account and has no active user, and
// reading an account depends on its membership alone, never on the reader's organisation.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccounts } from '../../src/accounts/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

type Command =
  | { op: 'organisation' }
  | { op: 'user'; organisation: number | null }
  | { op: 'account'; user: number; organisation: number | undefined }
  | { op: 'close'; account: number }
  | { op: 'move'; user: number; organisation: number | null }
  | { op: 'deactivate'; user: number }
  | { op: 'delete'; organisation: number }
  | { op: 'read'; user: number; account: number };

/** Indexes into what the run has made so far (taken modulo its size). */
const index = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ op: 'organisation' as const }),
  fc.record({ op: fc.constant('user' as const), organisation: fc.option(index, { nil: null }) }),
  fc.record({ op: fc.constant('account' as const), user: index, organisation: fc.option(index, { nil: undefined }) }),
  fc.record({ op: fc.constant('close' as const), account: index }),
  fc.record({ op: fc.constant('move' as const), user: index, organisation: fc.option(index, { nil: null }) }),
  fc.record({ op: fc.constant('deactivate' as const), user: index }),
  fc.record({ op: fc.constant('delete' as const), organisation: index }),
  fc.record({ op: fc.constant('read' as const), user: index, account: index }),
);

describe('organisations under random operations', () => {
  let s: TestServer;
  let admin: { token: string };
  let serial = 0;

  beforeAll(async () => {
    s = await startServer();
    admin = await s.user('admin');
  });
  afterAll(async () => s?.close());

  it('answer as the model says, change nothing when refused, and keep tally check clean', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 20 }), async (generated) => {
        // Every run starts from two organisations, two colleagues in the first, one user in none,
        // and an account of the first colleague, so the generated steps have something to act on.
        const commands: Command[] = [
          { op: 'organisation' },
          { op: 'organisation' },
          { op: 'user', organisation: 0 },
          { op: 'user', organisation: 0 },
          { op: 'user', organisation: null },
          { op: 'account', user: 0, organisation: undefined },
          ...generated,
        ];
        const organisations: Array<{ id: number; deleted: boolean }> = [];
        const users: Array<{ id: number; token: string; organisation: number | null; deactivated: boolean }> = [];
        const accounts: Array<{ id: number; organisation: number | null; closed: boolean; members: Set<number> }> = [];
        const pick = <T>(list: T[], k: number): T | undefined => list[k % Math.max(list.length, 1)];

        for (const c of commands) {
          let call: { method: string; path: string; token: string; body?: unknown } | undefined;
          let expected = 0;
          let apply: (body: any) => Promise<void> | void = () => {};
          switch (c.op) {
            case 'organisation':
              call = { method: 'POST', path: '/api/organisations', token: admin.token };
              call.body = { name: `Org ${++serial}`, business_id: serial, email: `org${serial}@example.com` };
              expected = 201;
              apply = (o) => void organisations.push({ id: o.id, deleted: false });
              break;
            case 'user': {
              const o = c.organisation === null ? undefined : pick(organisations, c.organisation);
              const email = `user-${++serial}@example.com`;
              call = { method: 'POST', path: '/api/users', token: admin.token };
              call.body = { email, password: PASSWORD, name: 'u', role: 'trader', organisation_id: o?.id };
              expected = o === undefined || !o.deleted ? 201 : 404;
              apply = async (u) => {
                const login = await s.request('POST', '/api/token', { body: { email, password: PASSWORD } });
                users.push({ id: u.id, token: login.body.access, organisation: o?.id ?? null, deactivated: false });
              };
              break;
            }
            case 'account': {
              const u = pick(users, c.user);
              if (!u) continue;
              const named = c.organisation === undefined ? undefined : pick(organisations, c.organisation);
              call = { method: 'POST', path: '/api/accounts', token: u.token };
              call.body = { account_name: 'a', organisation_id: named?.id };
              // A user creates accounts in its own organisation only; another is one it may not see.
              expected = u.deactivated ? 401 : named === undefined || named.id === u.organisation ? 201 : 404;
              const organisation = named?.id ?? u.organisation;
              apply = (a) => void accounts.push({ id: a.id, organisation, closed: false, members: new Set([u.id]) });
              break;
            }
            case 'close': {
              const a = pick(accounts, c.account);
              if (!a) continue;
              call = { method: 'DELETE', path: `/api/accounts/${a.id}`, token: admin.token };
              expected = a.closed ? 409 : 200;
              apply = () => {
                a.closed = true;
              };
              break;
            }
            case 'move': {
              const u = pick(users, c.user);
              if (!u) continue;
              const o = c.organisation === null ? undefined : pick(organisations, c.organisation);
              call = { method: 'PATCH', path: `/api/users/${u.id}`, token: admin.token };
              call.body = { organisation_id: o?.id ?? null };
              expected = u.deactivated ? 409 : o?.deleted ? 404 : 200;
              apply = () => {
                u.organisation = o?.id ?? null;
              };
              break;
            }
            case 'deactivate': {
              const u = pick(users, c.user);
              if (!u) continue;
              call = { method: 'DELETE', path: `/api/users/${u.id}`, token: admin.token };
              expected = 200;
              apply = () => {
                u.deactivated = true;
              };
              break;
            }
            case 'delete': {
              const o = pick(organisations, c.organisation);
              if (!o) continue;
              call = { method: 'DELETE', path: `/api/organisations/${o.id}`, token: admin.token };
              const owns = accounts.some((a) => a.organisation === o.id && !a.closed);
              const has = users.some((u) => u.organisation === o.id && !u.deactivated);
              expected = o.deleted ? 404 : owns || has ? 409 : 200;
              apply = () => {
                o.deleted = true;
              };
              break;
            }
            case 'read': {
              const u = pick(users, c.user);
              const a = pick(accounts, c.account);
              if (!u || !a) continue;
              call = { method: 'GET', path: `/api/accounts/${a.id}`, token: u.token };
              // Membership alone: a colleague in the account's organisation reads it no more than anyone.
              expected = u.deactivated ? 401 : a.members.has(u.id) ? 200 : 404;
              break;
            }
          }
          const before = await s.eventCount();
          const r = await s.request(call.method, call.path, {
            token: call.token,
            ...(call.body !== undefined ? { body: call.body } : {}),
          });
          expect(r.status, `${JSON.stringify(c)} → ${JSON.stringify(r.body)}`).toBe(expected);
          if (r.status < 300) await apply(r.body);
          else expect(await s.eventCount()).toBe(before);
          expect(await checkAccounts(s.db.database.kysely)).toEqual([]);
        }
      }),
      { numRuns: 25, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
  });
});
