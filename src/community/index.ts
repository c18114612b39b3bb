// The community module's face: energy communities, their clearing job and routes, the checks
// `tally check` runs on them, and the demo community the seed builds.
export { checkCommunities } from './check.ts';
export { seedDemoCommunity } from './demo.ts';
export { COMMUNITY_CLEARING_JOB, clearAllCommunities, clearOnDemand } from './jobs.ts';
export { communityRoutes } from './routes.ts';
