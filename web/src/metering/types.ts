// Metering's and issuance's shapes as the API documents them (schema.d.ts).
import type { components, paths } from '../api/schema';

export type Device = components['schemas']['Device'];
export type MeteringPoint = components['schemas']['MeteringPoint'];
export type Reading = components['schemas']['Reading'];
export type Bundle = components['schemas']['Bundle'];
export type ImportResult = components['schemas']['ImportResult'];
export type PendingHour =
  paths['/api/issuance/pending']['get']['responses'][200]['content']['application/json']['items'][number];
export type PendingReason = PendingHour['reason'];
