// What metering must know of the certificates issued from its points. The registry, a module
// above metering, answers; the composition root (src/app.ts) plugs its answers in once at start.
// So metering never imports the registry, and the dependency graph stays one-way (registry →
// metering), while a reading revision, a point's deletion and a device link still ask the
// registry inside the same transaction.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';

export interface LiveIssuedHour {
  start: Date;
  end: Date;
  bundle_ids: number[];
}

export interface CertificatesOfPoints {
  /** Hours of the point in [from, to) (and the hour before) issued from it that still have live certificates. */
  liveIssuedHours(db: Db, pointId: string, from: Date, to: Date): Promise<LiveIssuedHour[]>;
  /** Whether any certificate is claimed against the point. */
  claimedAgainst(db: Db, pointId: string): Promise<boolean>;
  /** Holds the device row against deletion and change for the caller's transaction. */
  holdDevice(trx: Db, deviceId: number): Promise<void>;
  /** The account of a device the caller may read; a missing or hidden device is a 404. */
  deviceAccount(db: Db, principal: Principal, deviceId: number): Promise<number>;
}

let answers: CertificatesOfPoints | undefined;

/** Called once by the composition root. */
export function answerCertificateQuestions(registry: CertificatesOfPoints): void {
  answers = registry;
}

export function certificates(): CertificatesOfPoints {
  if (!answers) throw new Error('metering: no module answers for certificates; src/app.ts plugs the registry in');
  return answers;
}
