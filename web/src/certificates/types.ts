// The registry's shapes as the API documents them (schema.d.ts): a bundle, and each request body.
import type { components, paths } from '../api/schema';

export type Bundle = components['schemas']['Bundle'];
export type Status = components['schemas']['CertificateStatus'];
export type EnergySource = components['schemas']['EnergySource'];
export type ActionResult = components['schemas']['ActionResult'];

/** The JSON body a POST route takes. */
type BodyOf<P extends keyof paths> = paths[P] extends {
  post: { requestBody: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

export type QueryBody = BodyOf<'/api/certificates/query'>;
export type TransferBody = BodyOf<'/api/certificates/transfer'>;
export type CancelBody = BodyOf<'/api/certificates/cancel'>;
export type ClaimBody = BodyOf<'/api/certificates/claim'>;
/** Reserve, unreserve, lock and unlock take only the account, the bundles and a quantity. */
export type BundleActionBody = BodyOf<'/api/certificates/reserve'>;

/** The account the bundles are held in, as confirmations name it. */
export interface Holder {
  id: number;
  name: string;
}
