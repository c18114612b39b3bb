// The identity module's face: users, organisations, sessions and API keys, and the hook that turns a credential
// into the request's principal. The principal's type itself is the platform's (platform/principal.ts).
export { ensureAdmin } from './admin.ts';
export { authenticationHook, identityRoutes } from './routes.ts';
export { newSecret } from './secrets.ts';
export { ROLES, type Role } from './tables.ts';
export { NewOrganisation, Organisation, OrganisationChange, PASSWORD_RULE, Registration } from './schemas.ts';
export { refreshSession, signAccess, startSession, type TokenPair } from './tokens.ts';
export {
  changeUser,
  checkLogin,
  createUser,
  deactivateUser,
  findUserByEmail,
  getUser,
  getUsers,
  listUsers,
  renewVerification,
  type UserView,
  verifyEmail,
} from './users.ts';
export {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  lockOrganisation,
  markOrganisationDeleted,
  organisationById,
  organisationOf,
  type OrganisationView,
  updateOrganisation,
} from './organisations.ts';
