// The accounts module's face: accounts, who belongs to them, whose transfers they accept, and
// the access decisions every other module asks before touching what an account holds.
export {
  ACTING_PROBLEMS,
  acceptsTransfersFrom,
  actionableAccount,
  closedAccounts,
  lockOpenAccount,
  mayActOn,
  readableAccount,
  readableAccountIds,
  readableInAccount,
  registrableAccount,
} from './access.ts';
export { type AccountView, createAccount, listAccounts, markClosed, updateWhitelist } from './accounts.ts';
export { invitationRoutes } from './invitation-routes.ts';
export { accountRoutes } from './routes.ts';
export { Account } from './schemas.ts';
export type { AccountRow } from './tables.ts';
