// The administrator's changes to users (a new user, a new role, a deactivation): each request built
// from what was entered, the words of its confirmation from that request, and of what the API did.
import type { Prepared } from '../components/confirm-modal';
import { ROLE_LABELS, type Role, type User } from '../api/roles';
import type { paths } from '../api/schema';
import { utc } from '../format';

export type NewUserBody = paths['/api/users']['post']['requestBody']['content']['application/json'];

/** What each role may do, in a sentence: the confirmation of a role says what it grants. */
export const ROLE_DUTIES: Record<Role, string> = {
  admin: 'An administrator manages users and roles, and may call every route of the API.',
  issuer: 'The issuing body issues, withdraws and re-issues certificates, and reads every account.',
  producer: 'A producer registers devices and metering points, and acts on the certificates of its own accounts.',
  trader: 'A trader holds, transfers, cancels and claims the certificates of its own accounts.',
  auditor: 'An auditor reads every account and acts on none.',
};

/** A user as the confirmations name them. */
export const who = (u: Pick<User, 'id' | 'name' | 'email'>): string => `${u.name} (${u.email}, user ${u.id})`;

/** Whether the user may sign in, in a word or two. */
export function userState(u: User): string {
  if (u.deactivated_at !== null) return `Deactivated ${utc(u.deactivated_at)}`;
  return u.email_verified ? 'Active' : 'Email not verified';
}

export interface RoleChange {
  id: number;
  role: Role;
}

export function prepareRole(user: User, role: Role | undefined): Prepared<RoleChange> {
  if (role === undefined) return { ok: false, missing: 'Choose the new role.' };
  if (role === user.role)
    return { ok: false, missing: `${user.name} is already ${ROLE_LABELS[role].toLowerCase()}: choose another role.` };
  return { ok: true, request: { id: user.id, role } };
}

export function roleWords(change: RoleChange, user: User, self: boolean): string[] {
  return [
    `Change the role of ${who(user)} from ${ROLE_LABELS[user.role]} to ${ROLE_LABELS[change.role]}.`,
    ROLE_DUTIES[change.role],
    self
      ? 'This is your own role: from your next request on, you may do only what the new role allows.'
      : 'It takes effect at once, on their next request.',
  ];
}

export function deactivateWords(user: User): string[] {
  return [
    `Deactivate ${who(user)}.`,
    'They can no longer sign in, and their sessions and API keys stop working at once. ' +
      'They are never erased: the ledger names them as the actor of their events.',
  ];
}

/** What is entered for a new user, as entered. */
export interface NewUserFields {
  email: string;
  name: string;
  role?: Role;
  password: string;
}

export const NO_NEW_USER: NewUserFields = { email: '', name: '', password: '' };

/** The request, or what is missing; the email's form and the password's length are the API's to refuse. */
export function prepareNewUser(fields: NewUserFields): Prepared<NewUserBody> {
  const email = fields.email.trim();
  const name = fields.name.trim();
  if (!email) return { ok: false, missing: 'Enter the email address the user signs in with.' };
  if (!name) return { ok: false, missing: 'Enter the name shown for the user.' };
  if (fields.role === undefined) return { ok: false, missing: 'Choose the role of the user.' };
  if (!fields.password) return { ok: false, missing: 'Enter a password for the user’s first sign-in.' };
  return { ok: true, request: { email, name, role: fields.role, password: fields.password } };
}

export function newUserWords(body: NewUserBody): string[] {
  return [
    `Create the user ${body.name} (${body.email}) with the role ${ROLE_LABELS[body.role]}.`,
    ROLE_DUTIES[body.role],
    'They can sign in at once with the password entered here; their email address counts as verified.',
  ];
}
