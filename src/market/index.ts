// The forecasting market's face: its routes over a market opened from the configuration, and
// its job (payment checks, the schedule, runs, payouts), and what `tally check` proves of it.
export { checkMarket } from './check.ts';
export type { Market } from './context.ts';
export { marketJob, marketRound } from './jobs.ts';
export { openMarket } from './rails.ts';
export { marketRoutes } from './routes.ts';
