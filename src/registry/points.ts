// The registry's answers to metering's questions about certificates issued from its points
// (metering/certificates.ts). src/app.ts hands them to metering at start.
import type { CertificatesOfPoints } from '../metering/index.ts';
import { holdDevice, readableDevice } from './devices.ts';
import { liveIssuedHours } from './point-hours.ts';
import { claimedAgainst } from './queries.ts';

export const certificatesOfPoints: CertificatesOfPoints = {
  liveIssuedHours,
  claimedAgainst,
  holdDevice,
  deviceAccount: async (db, principal, deviceId) => (await readableDevice(db, principal, deviceId)).account_id,
};
