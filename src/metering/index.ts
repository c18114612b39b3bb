// The metering module's face: metering points, their readings (interval and register), hourly
// energy for issuance and disclosures, interval energy for communities, technology labels, and
// the question metering asks of the certificates issued from its points (certificates.ts).
export { answerCertificateQuestions, type CertificatesOfPoints, type LiveIssuedHour } from './certificates.ts';
export { type ReadingInput, splitCsvLine } from './csv.ts';
export { importReadingsFile, progressBar } from './import-file.ts';
export { type EnergyByPoint, type EnergySeries, intervalEnergy } from './interval-energy.ts';
export { meteringJobs } from './jobs.ts';
export {
  changeMeteringPoint,
  consumptionOnly,
  consumptionPointsOf,
  createMeteringPoint,
  formerProductionPoints,
  listMeteringPoints,
  lockPoints,
  type NewMeteringPoint,
  pointsById,
  productionPoints,
  readablePoint,
  sharedPoint,
  visiblePointIds,
} from './points.ts';
export { hourlyConsumption, hourlyProduction, importReadings, readingsEnd } from './readings.ts';
export { importRegisterReadings, lastRegisterReading, type RegisterReadingInput } from './registers.ts';
export { meteringRoutes } from './routes.ts';
export { listTechnologies, type TechnologyLabel, technologyLabel } from './technology.ts';
