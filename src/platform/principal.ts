// Who is calling, as every module sees it: the identity module resolves it from a credential, and
// the access rules (platform/http/access.ts) and modules decide with it. It lives at the ground
// floor so that the HTTP layer and every module share one type without depending on identity.

export const ROLES = ['admin', 'issuer', 'producer', 'trader', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  userId: number;
  role: Role;
  email: string;
}

/**
 * The roles that oversee the whole platform and read every account, device, statement and event:
 * the issuing body and auditors, besides admins. Declared once; auditors still act on nothing
 * (identity/auditors.ts).
 */
export const OVERSEEING_ROLES = ['issuer', 'auditor'] as const satisfies readonly Role[];

export function readsEverything(principal: Principal): boolean {
  return principal.role === 'admin' || (OVERSEEING_ROLES as readonly Role[]).includes(principal.role);
}
