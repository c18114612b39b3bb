// The disclosure module's face: public hourly disclosures of a consumer's supply, and their routes;
// what the publications module needs to publish one, and where it tells where one was published.
export { createDisclosure, disclosureDataset, disclosureOwner } from './disclosures.ts';
export { answerPublicationQuestions, type PublicationsOf } from './publications.ts';
export type { DisclosurePublication } from './schemas.ts';
export { disclosureRoutes } from './routes.ts';
