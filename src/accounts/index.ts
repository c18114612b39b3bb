// The accounts module's face: accounts, who belongs to them, whose transfers they accept, the
// deletion of organisations (which asks what accounts they own), and
// the access decisions every other module asks before touching what an account holds.
export {
  ACTING_PROBLEMS,
  lockAcceptingAccount,
  transferAccepted,
  actionableAccount,
  closedAccounts,
  lockOpenAccount,
  mayActOn,
  readableAccount,
  readableAccountIds,
  readableInAccount,
  registrableAccount,
} from './access.ts';
export {
  type AccountView,
  createAccount,
  getAccount,
  getWhitelist,
  listAccounts,
  listMembers,
  markClosed,
  type MemberView,
  renameAccount,
  updateAccount,
  updateWhitelist,
  type WhitelistChange,
  type WhitelistView,
} from './accounts.ts';
export { checkAccounts } from './check.ts';
export { deleteOrganisation } from './organisations.ts';
export { organisationRoutes } from './organisation-routes.ts';
export { invitationRoutes } from './invitation-routes.ts';
export { accountRoutes } from './routes.ts';
export { Account, AccountName } from './schemas.ts';
export type { AccountRow } from './tables.ts';
