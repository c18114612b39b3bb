// Which parts of the administration page a role may use, as the API's access rules decide: users
// and roles are the administrator's; issuing, withdrawing and running issuance are the issuing
// body's. The API lets an administrator call every route, so an administrator sees every part.
import type { Role } from '../api/roles';

export type SectionName = 'users' | 'issue' | 'withdraw' | 'issuance';

export const SECTIONS: Record<SectionName, { label: string; roles: readonly Role[] }> = {
  users: { label: 'Users and roles', roles: ['admin'] },
  issue: { label: 'Issue', roles: ['issuer', 'admin'] },
  withdraw: { label: 'Withdraw', roles: ['issuer', 'admin'] },
  issuance: { label: 'Automatic issuance', roles: ['issuer', 'admin'] },
};

/** The parts `role` may use, in the page's order; none for a role with nothing to do here. */
export const sectionsFor = (role: Role): SectionName[] =>
  (Object.keys(SECTIONS) as SectionName[]).filter((s) => SECTIONS[s].roles.includes(role));

/** The roles that find anything on the page: the navigation shows its entry to them only. */
export const ADMIN_ROLES: Role[] = ['admin', 'issuer'];
