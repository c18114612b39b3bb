// The EnergyTag face: the EnergyTag GC API draft (v2) under /energytag/v2, a thin translation onto
// identity's, accounts' and the registry's functions (docs/energytag-conformance.md lists all 34
// operations, what is served and every deviation). The composition root registers it.
export { energytagFace } from './routes.ts';
export { KINDS, readUuid, uuidOf } from './ids.ts';
