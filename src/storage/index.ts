// The storage module's face: storage charge and discharge records (SCRs, SDRs), the cancelled
// certificates backing each charge, allocations of discharge to charge, SD-GC issuance through the
// registry, its routes under /api/storage, and the checks `tally check` runs (decision 11).
export { type AllocationsImported, importAllocations } from './allocations-import.ts';
export { backChargeRecord, createChargeRecord } from './charges.ts';
export { checkStorage } from './check.ts';
export { allocateDischargeRecord, createDischargeRecord, issueDischargeCertificates } from './discharges.ts';
export { importStorageReadings, type ReadingsImported } from './readings.ts';
export {
  type ChargeRecordView,
  type DischargeRecordView,
  getChargeRecord,
  getDischargeRecord,
  listChargeRecords,
  listDischargeRecords,
} from './records.ts';
export { storageRoutes } from './routes.ts';
export type { NewChargeRecord, NewDischargeRecord, RecordFilter } from './schemas.ts';
export { ALLOCATION_METHODOLOGIES, type AllocationMethodology } from './tables.ts';
export {
  updateChargeRecord,
  updateDischargeRecord,
  withdrawChargeRecord,
  withdrawDischargeRecord,
  withdrawRecords,
} from './withdraw.ts';
