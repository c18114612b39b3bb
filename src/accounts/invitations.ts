// Joining an account takes the joining user's consent. A member invites a user by id or email; the
// answer is the same whether or not such a user exists, so an invitation reveals nothing about
// users the inviter may not see. The invited user lists its invitations and accepts or declines.
import type { Static } from 'typebox';
import type { Invitation } from './schemas.ts';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { actionableAccount } from './access.ts';
import { accountTables, type InvitationRow } from './tables.ts';

export type Invitee = { user_id?: number | undefined; email?: string | undefined };

export type InvitationView = Static<typeof Invitation>;

const view = (r: InvitationRow): InvitationView => ({
  id: r.id,
  account_id: r.account_id,
  user_id: r.user_id,
  email: r.email,
  invited_by: r.invited_by,
  created_at: r.created_at.toISOString(),
  status: r.accepted === null ? 'pending' : r.accepted ? 'accepted' : 'declined',
});

/** Exactly one of user_id and email names the invitee. */
export function checkInvitee(who: Invitee): void {
  if ((who.user_id === undefined) === (who.email === undefined))
    throw badRequest('member_required', 'give user_id or email, not both', 'body/user_id');
}

export async function inviteMember(
  db: Db,
  principal: Principal,
  accountId: number,
  who: Invitee,
): Promise<InvitationView> {
  checkInvitee(who);
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, accountId, { forUpdate: true });
    const row = await accountTables(trx)
      .insertInto('account_invitations')
      .values({
        account_id: accountId,
        user_id: who.user_id ?? null,
        email: who.email?.toLowerCase() ?? null,
        invited_by: principal.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const invitation = view(row);
    await appendEvent(trx, {
      type: 'account.member_invited',
      subject_type: 'account',
      subject_id: accountId,
      account_ids: [accountId],
      actor_id: principal.userId,
      payload: { invitation },
    });
    return invitation;
  });
}

/** Pending invitations addressed to the caller, by its id or its email, in id order. */
export async function myInvitations(db: Db, principal: Principal, page: PageRequest): Promise<Page<InvitationView>> {
  const rows = await accountTables(db)
    .selectFrom('account_invitations')
    .selectAll()
    .where('answered_at', 'is', null)
    .where((eb) =>
      eb.or([eb('user_id', '=', principal.userId), eb(eb.fn('lower', ['email']), '=', principal.email.toLowerCase())]),
    )
    .where('id', '>', afterId(page))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), view);
}

/**
 * Accepting adds the caller to the account; declining only records the answer. Either way the
 * invitation is answered once. Someone else's invitation, or an answered one, is not found.
 */
export async function answerInvitation(
  db: Db,
  principal: Principal,
  id: number,
  accept: boolean,
  now: Date,
): Promise<InvitationView> {
  return db.transaction().execute(async (trx) => {
    const row = await accountTables(trx)
      .selectFrom('account_invitations')
      .selectAll()
      .where('id', '=', id)
      .where('answered_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    const mine = row !== undefined && (row.user_id === principal.userId || row.email === principal.email.toLowerCase());
    if (!row || !mine) throw notFound('invitation', id);
    // Locked as every change of membership locks it; a closed account takes no one in.
    const account = await accountTables(trx)
      .selectFrom('accounts')
      .select('closed_at')
      .where('id', '=', row.account_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (accept && account.closed_at !== null) throw conflict('account_closed', `account ${row.account_id} is closed`);
    const answered = await accountTables(trx)
      .updateTable('account_invitations')
      .set({ answered_at: now, accepted: accept })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const invitation = view(answered);
    if (accept) {
      await accountTables(trx)
        .insertInto('account_members')
        .values({ account_id: row.account_id, user_id: principal.userId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await appendEvent(trx, {
      type: accept ? 'account.invitation_accepted' : 'account.invitation_declined',
      subject_type: 'account',
      subject_id: row.account_id,
      account_ids: [row.account_id],
      actor_id: principal.userId,
      payload: { invitation, account_id: row.account_id, user_id: principal.userId },
    });
    return invitation;
  });
}
