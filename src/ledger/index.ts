// The ledger's face: every module appends its events here (appendEvent, inside its own
// transaction); the sealer, the checker and the routes that read the log. The ledger sits below
// every module that writes to it, so its routes are told who may read what (EventReaders).
export { checkLedger } from './check.ts';
export { agreesWithEvents, begunOnce, isoText, type Recorded } from './recorded.ts';
export { appendEvent, eventView, type EventView, firstEventOf, streamEvents } from './events.ts';
export { committedEventsAfter, countEventsAfter, type LogPosition, positionOf } from './log-order.ts';
export { sealJob, sealNow } from './jobs.ts';
export { type EventReaders, ledgerRoutes, sealedLedgerRoutes } from './routes.ts';
export { type ExportedBlock, exportBlock, exportBlocks, unsealedEvents } from './seal.ts';
export { verifySource } from './verify-source.ts';
export { stateVersion } from './version.ts';
