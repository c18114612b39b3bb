// The disclosure module's face: public hourly disclosures of a consumer's supply, and their routes.
export { createDisclosure } from './disclosures.ts';
export { disclosureRoutes } from './routes.ts';
