// The identity module's face: users, sessions and API keys, and the hook that turns a credential
// into the request's principal. The principal's type itself is the platform's (platform/principal.ts).
export { ensureAdmin } from './admin.ts';
export { authenticationHook, identityRoutes } from './routes.ts';
export { newSecret } from './secrets.ts';
export { ROLES, type Role } from './tables.ts';
export { PASSWORD_RULE, Registration } from './schemas.ts';
export { refreshSession, startSession, type TokenPair } from './tokens.ts';
export {
  checkLogin,
  createUser,
  findUserByEmail,
  getUser,
  getUsers,
  listUsers,
  renewVerification,
  setRole,
  type UserView,
  verifyEmail,
} from './users.ts';
