import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound, unauthorized, forbidden } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { identity, type Role } from './tables.ts';
import type { Registration, User } from './schemas.ts';
import { decoyHash, digest, hashPassword, newSecret, verifyPassword } from './secrets.ts';

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type UserView = Static<typeof User>;

const columns = ['id', 'email', 'name', 'role', 'email_verified_at', 'created_at'] as const;
const view = (u: {
  id: number;
  email: string;
  name: string;
  role: Role;
  email_verified_at: Date | null;
  created_at: Date;
}): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  email_verified: u.email_verified_at !== null,
  created_at: u.created_at.toISOString(),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** A registration (schemas.ts), with the role an admin or the CLI gives (trader when none). */
export type NewUser = Static<typeof Registration> & {
  role?: Role;
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
      const row = await identity(trx)
        .insertInto('users')
        .values({
          email: input.email,
          name: input.name,
          password_hash: passwordHash,
          role: input.role ?? 'trader',
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

/** Checks a password login. Unknown email and wrong password answer alike, in the same time. */
export async function checkLogin(db: Db, email: string, password: string): Promise<UserView> {
  const row = await passwordHolder(db, email, password);
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

export async function setRole(db: Db, id: number, role: Role, actorId: number): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    const row = await identity(trx)
      .updateTable('users')
      .set({ role })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirst();
    if (!row) throw notFound('user', id);
    const user = view(row);
    await appendEvent(trx, {
      type: 'user.role_changed',
      subject_type: 'user',
      subject_id: id,
      actor_id: actorId,
      payload: user,
    });
    return user;
  });
}
