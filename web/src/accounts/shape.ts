// What the accounts pages read from a person's typing and write from the API's answers: the
// account ids of a whitelist change, who an invitation goes to, what an invitation did, and the
// words of each confirmation.
import type { components } from '../api/schema';
import { utc } from '../format';

export type Account = components['schemas']['Account'];
export type Member = components['schemas']['Member'];
export type Invitation = components['schemas']['Invitation'];
export type Whitelist = components['schemas']['Whitelist'];
export type ApiKey = components['schemas']['ApiKey'];

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The largest id the API takes (its ids are JSON numbers). */
const MAX_ID = Number.MAX_SAFE_INTEGER;
const WHOLE = /^[1-9][0-9]*$/;

/** Account ids typed as `5`, `5, 7` or `5 7`: each once, in the order typed. */
export function accountIds(text: string): Parsed<number[]> {
  const words = text.split(/[\s,;]+/).filter(Boolean);
  if (words.length === 0) return { ok: false, problem: 'Enter an account id.' };
  const bad = words.find((w) => !WHOLE.test(w) || Number(w) > MAX_ID);
  if (bad !== undefined) return { ok: false, problem: `“${bad}” is not an account id: ids are whole numbers from 1.` };
  return { ok: true, value: [...new Set(words.map(Number))] };
}

export type InviteBody = { user_id: number } | { email: string };

/** Whom to invite: a user id when only digits are typed, else an email address. */
export function inviteBody(text: string): Parsed<InviteBody> {
  const typed = text.trim();
  if (WHOLE.test(typed) && Number(typed) <= MAX_ID) return { ok: true, value: { user_id: Number(typed) } };
  if (typed.includes('@')) return { ok: true, value: { email: typed } };
  return { ok: false, problem: 'Enter the email address or the user id of the person to invite.' };
}

/**
 * What inviting did. A member's invitation reads the same whether or not the user exists (the API
 * does not tell who has an account); an admin adds the user at once and gets the members back.
 */
export function invitedText(answer: Invitation | { items: Member[] }, accountName: string): string {
  if ('items' in answer) return `Added: ${accountName} has ${answer.items.length} members now.`;
  const whom = answer.email ?? `user ${answer.user_id}`;
  return `Invitation ${answer.id} made for ${whom}: they join ${accountName} when they accept it under Accounts.`;
}

/** An account as a sentence names it: its name and id. */
export const accountLabel = (a: Pick<Account, 'id' | 'account_name'>) => `${a.account_name} (account ${a.id})`;

/** The confirmation of removing member `m` from `account`; `self` when it is the signed-in user. */
export function removeMemberWords(m: Member, account: Account, self: boolean): string[] {
  return [
    `Remove ${m.name} (${m.email}) from ${accountLabel(account)}.`,
    self
      ? 'You will no longer see this account or act on its certificates, until a member invites you again.'
      : `${m.name} will no longer see this account or act on its certificates, until invited again.`,
  ];
}

/** The confirmation of taking account `from` off the whitelist of `account`. */
export function unwhitelistWords(from: string, account: Account): string[] {
  return [
    `Stop accepting transfers from ${from} into ${accountLabel(account)}.`,
    'The registry refuses its transfers from now on, until it is added again. Certificates it already transferred stay.',
  ];
}

/** The confirmation of revoking API key `k`. */
export function revokeWords(k: ApiKey): string[] {
  const used = k.last_used_at === null ? 'never used' : `last used ${utc(k.last_used_at)}`;
  return [
    `Revoke the API key “${k.name}” (${k.prefix}…), ${used}.`,
    'Every program that sends it is refused from this moment. A revoked key cannot be restored.',
  ];
}
