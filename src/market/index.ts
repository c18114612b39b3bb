// The forecasting market's face: its routes over a market opened from the configuration, and
// its job (payment checks, the schedule, runs, payouts), what `tally check` proves of it, and the
// functions the DSBI face (src/faces/dsbi) translates its wire format onto.
export { checkMarket } from './check.ts';
export { type Market, marketOn } from './context.ts';
export { marketJob, marketRound } from './jobs.ts';
export { openMarket } from './rails.ts';
export { marketRoutes } from './routes.ts';

export { bidOfPayment, checkBidPayment, getBid, listBids, paymentRefused, payBid, placeBid } from './bids.ts';
export { type DataRow, listData, resourceUnits, uploadSeries } from './data.ts';
export { listForecasts } from './forecasts.ts';
export { listBalances, listTransactions, type SessionBalance, sessionBalances } from './money.ts';
export {
  createNotificationType,
  DEFAULT_NOTIFICATIONS,
  deleteNotificationType,
  listNotifications,
  listNotificationTypes,
  type NotificationTypeView,
  type NotificationView,
  renameNotificationType,
  setNotificationState,
  similarity,
} from './notifications.ts';
export { userOfUuid, uuidsOf } from './participants.ts';
export { listPayouts, settlePayout } from './payouts.ts';
export {
  createResource,
  deleteResource,
  getResource,
  listResources,
  resourceNames,
  updateResource,
} from './resources.ts';
export type {
  BalanceView,
  BidView,
  ForecastView,
  PayoutView,
  ResourceView,
  SessionView,
  TransactionView,
} from './schemas.ts';
export {
  changeSession,
  createSession,
  getSession,
  listSessions,
  sessionFees,
  setSessionWeights,
} from './sessions.ts';
export {
  ADDRESS_PATTERN,
  GAIN_FUNCS,
  type GainFunc,
  RESOURCE_NAME_PATTERN,
  SESSION_STATUSES,
  type SessionStatus,
  TIME_INTERVALS,
  TRANSACTION_TYPES,
  UNIT_WATTS,
  UNITS,
  type Units,
} from './tables.ts';
export {
  getMarketWallet,
  listWallets,
  marketWallet,
  registerWallet,
  setMarketWallet,
  walletChallenge,
} from './wallets.ts';
