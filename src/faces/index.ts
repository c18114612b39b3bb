// Other systems' wire formats, each a thin translation onto the modules' functions under its own
// prefix: DSBI's forecasting-market API under /dsbi, the EnergyTag GC API draft under /energytag/v2.
export { dsbiFace } from './dsbi/index.ts';
export { energytagFace } from './energytag/index.ts';
