import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound, unauthorized, forbidden } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { identity, type Role } from './tables.ts';
import type { Registration, User, UserChange } from './schemas.ts';
import { lockOrganisation } from './organisations.ts';
import { iso } from '../platform/timestamp.ts';
import { decoyHash, digest, hashPassword, newSecret, verifyPassword } from './secrets.ts';

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type UserView = Static<typeof User>;

const columns = [
  'id',
  'email',
  'name',
  'role',
  'email_verified_at',
  'created_at',
  'organisation_id',
  'deactivated_at',
] as const;
const view = (u: {
  id: number;
  email: string;
  name: string;
  role: Role;
  email_verified_at: Date | null;
  created_at: Date;
  organisation_id: number | null;
  deactivated_at: Date | null;
}): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  email_verified: u.email_verified_at !== null,
  created_at: u.created_at.toISOString(),
  organisation_id: u.organisation_id,
  deactivated_at: iso(u.deactivated_at),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** A registration (schemas.ts), with the role an admin or the CLI gives (trader when none). */
export type NewUser = Static<typeof Registration> & {
  role?: Role;
  /** The organisation the user belongs to; it must be live. */
  organisation_id?: number | undefined;
  /** When an admin or the CLI makes a user verified at once; self-registered users have none. */
  verifiedAt?: Date;
};

/**
 * Creates a user. Self-registered users start unverified, as traders, and get a verification token
 * (returned once, stored as a digest); users made by an admin or the CLI may be verified at once.
 */
export async function createUser(
  db: Db,
  input: NewUser,
  actorId: number | null,
): Promise<{ user: UserView; verificationToken: string | undefined }> {
  const verificationToken = input.verifiedAt ? undefined : newSecret();
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (trx) => {
      if (input.organisation_id !== undefined) await lockOrganisation(trx, input.organisation_id, 'share');
      const row = await identity(trx)
        .insertInto('users')
        .values({
          email: input.email,
          name: input.name,
          password_hash: passwordHash,
          role: input.role ?? 'trader',
          organisation_id: input.organisation_id ?? null,
          email_verified_at: input.verifiedAt ?? null,
          verification_token_hash: verificationToken ? digest(verificationToken) : null,
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      const user = view(row);
      await appendEvent(trx, {
        type: 'user.created',
        subject_type: 'user',
        subject_id: user.id,
        actor_id: actorId ?? user.id,
        payload: user,
      });
      return { user, verificationToken };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('email_taken', `a user with email ${input.email} already exists`);
    throw err;
  }
}

export async function verifyEmail(db: Db, token: string, now: Date): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    const row = await identity(trx)
      .updateTable('users')
      .set({ email_verified_at: now, verification_token_hash: null })
      .where('verification_token_hash', '=', digest(token))
      .returning(columns)
      .executeTakeFirst();
    if (!row)
      throw badRequest(
        'invalid_verification_token',
        'the verification token is unknown or already used',
        'querystring/token',
      );
    const user = view(row);
    await appendEvent(trx, {
      type: 'user.verified',
      subject_type: 'user',
      subject_id: user.id,
      actor_id: user.id,
      payload: user,
    });
    return user;
  });
}

/** The user whose password this is; unknown email and wrong password answer alike, in the same time. */
async function passwordHolder(db: Db, email: string, password: string) {
  const row = await identity(db)
    .selectFrom('users')
    .select([...columns, 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
  if (!row || !ok) throw unauthorized('email or password is wrong');
  return row;
}

/**
 * Checks a password login. Unknown email and wrong password answer alike, in the same time; a
 * deactivated user, told so only with its right password, logs in no more.
 */
export async function checkLogin(db: Db, email: string, password: string): Promise<UserView> {
  const row = await passwordHolder(db, email, password);
  if (row.deactivated_at !== null) throw unauthorized('this user is deactivated');
  if (row.email_verified_at === null)
    throw forbidden('email_not_verified', 'verify your email address before logging in');
  return view(row);
}

/**
 * A new verification token for a user who has not verified their email yet, asked with their
 * password (DSBI's generate-link); the earlier token stops working.
 */
export async function renewVerification(
  db: Db,
  email: string,
  password: string,
): Promise<{ user: UserView; verificationToken: string }> {
  const row = await passwordHolder(db, email, password);
  const verificationToken = newSecret();
  return db.transaction().execute(async (trx) => {
    const updated = await identity(trx)
      .updateTable('users')
      .set({ verification_token_hash: digest(verificationToken) })
      .where('id', '=', row.id)
      .where('email_verified_at', 'is', null)
      .returning(columns)
      .executeTakeFirst();
    if (!updated) throw conflict('email_already_verified', `${row.email} is already verified`);
    const user = view(updated);
    await appendEvent(trx, {
      type: 'user.verification_renewed',
      subject_type: 'user',
      subject_id: user.id,
      actor_id: user.id,
      payload: user,
    });
    return { user, verificationToken };
  });
}

export async function getUser(db: Db, id: number): Promise<UserView> {
  const row = await identity(db).selectFrom('users').select(columns).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user', id);
  return view(row);
}

/** Several users at once, by id, in id order. */
export async function getUsers(db: Db, ids: number[]): Promise<UserView[]> {
  if (ids.length === 0) return [];
  const rows = await identity(db).selectFrom('users').select(columns).where('id', 'in', ids).orderBy('id').execute();
  return rows.map(view);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserView | undefined> {
  const row = await identity(db)
    .selectFrom('users')
    .select(columns)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return row ? view(row) : undefined;
}

export async function listUsers(db: Db, page: PageRequest): Promise<Page<UserView>> {
  const rows = await identity(db)
    .selectFrom('users')
    .select(columns)
    .where('id', '>', afterId(page))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), view);
}

/** What an admin changes of a user (UserChange in schemas.ts): its role, its organisation (null: none). */
export type UserChangeRequest = Static<typeof UserChange>;

/**
 * Changes a user's role and/or organisation in one transaction, one event per change. A new
 * organisation must be live and is share-locked, so a concurrent deletion waits and then sees the
 * user. A deactivated user changes no more.
 */
export async function changeUser(db: Db, id: number, change: UserChangeRequest, actorId: number): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    const before = await identity(trx)
      .selectFrom('users')
      .select(['role', 'organisation_id', 'deactivated_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('user', id);
    if (before.deactivated_at !== null) throw conflict('user_deactivated', `user ${id} is deactivated`);
    const organisation = change.organisation_id;
    if (organisation !== undefined && organisation !== null) await lockOrganisation(trx, organisation, 'share');
    const row = await identity(trx)
      .updateTable('users')
      .set({
        ...(change.role !== undefined ? { role: change.role } : {}),
        ...(organisation !== undefined ? { organisation_id: organisation } : {}),
      })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    const user = view(row);
    const events: Array<[string, boolean]> = [
      ['user.role_changed', change.role !== undefined && change.role !== before.role],
      ['user.organisation_changed', organisation !== undefined && organisation !== before.organisation_id],
    ];
    for (const [type, changed] of events)
      if (changed)
        await appendEvent(trx, { type, subject_type: 'user', subject_id: id, actor_id: actorId, payload: user });
    return user;
  });
}

/**
 * Deactivates a user (an admin's act): it cannot log in, and its access tokens, refresh tokens and
 * API keys stop working, since every request and refresh reads the user. It is never erased: the
 * ledger names it as the actor of its events, and its memberships stay as history. Deactivating it
 * again changes nothing; an admin does not deactivate itself (the registry keeps an admin).
 */
export async function deactivateUser(db: Db, id: number, actorId: number, now: Date): Promise<UserView> {
  if (id === actorId) throw conflict('self_deactivation', 'an admin does not deactivate itself');
  return db.transaction().execute(async (trx) => {
    const before = await identity(trx)
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('user', id);
    const row = await identity(trx)
      .updateTable('users')
      .set((eb) => ({ deactivated_at: eb.fn.coalesce('deactivated_at', eb.val(now)) }))
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    const user = view(row);
    if (before.deactivated_at === null)
      await appendEvent(trx, {
        type: 'user.deactivated',
        subject_type: 'user',
        subject_id: id,
        actor_id: actorId,
        payload: user,
      });
    return user;
  });
}
