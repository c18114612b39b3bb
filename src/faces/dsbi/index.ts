// The DSBI face: INESC TEC's Data Sharing market's REST API under /dsbi, a thin translation onto
// the market's and identity's functions (docs/dsbi-compatibility.md lists every route and every
// deliberate deviation). The composition root registers it beside the native routes.
export { dsbiFace } from './routes.ts';
