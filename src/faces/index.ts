// Other systems' wire formats, each a thin translation onto the modules' functions under its own
// prefix: DSBI's forecasting-market API under /dsbi.
export { dsbiFace } from './dsbi/index.ts';
