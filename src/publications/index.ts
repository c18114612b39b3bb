// The publications module's face: Tally's own documents (disclosures, sealed ledger blocks, market
// forecasts) put on decentralised storage through its uploader with its publisher wallet, their
// routes, and where a disclosure was published (plugged into the disclosure module by src/app.ts).
export { checkPublications } from './check.ts';
export { publicationsOfDisclosure } from './publications.ts';
export { openPublisher } from './publisher.ts';
export { publicationRoutes } from './routes.ts';
