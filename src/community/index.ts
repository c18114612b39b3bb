// The community module's face: energy communities, their clearing job and routes, the checks
// `tally check` runs on them, and what the demo (src/demo/) builds a community with.
export { checkCommunities } from './check.ts';
export { createCommunity, listCommunities, type NewCommunity } from './communities.ts';
export { COMMUNITY_CLEARING_JOB, clearAllCommunities, clearOnDemand } from './jobs.ts';
export { addMember, listMembers } from './members.ts';
export { communityRoutes } from './routes.ts';
export { clearingLags } from './position.ts';
export { monthlyStatement } from './settlement.ts';
