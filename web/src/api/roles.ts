// The roles a user may have, as people call them. A Record, so a role the API adds fails the type
// check until it is named here.
import type { components } from './schema';

export type User = components['schemas']['User'];
export type Role = User['role'];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  issuer: 'Issuing body',
  producer: 'Producer',
  trader: 'Trader',
  auditor: 'Auditor',
};

export const ROLES = Object.keys(ROLE_LABELS) as Role[];
