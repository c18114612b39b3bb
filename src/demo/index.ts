// The demo's face: `tally seed` builds a demo world (accounts, devices, meters, certificates, a
// disclosure and an energy community) from one profile library (profiles.ts).
export { seedDemoCommunity } from './community.ts';
export { seedDemoWorld } from './seed.ts';
