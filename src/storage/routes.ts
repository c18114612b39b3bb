// The storage module's native routes under /api/storage: charge and discharge records, their
// backing, allocation, SD-GC issuance, withdrawal, the one mutable description of each, and the
// storage readings template as CSV. Each route: schema, access rule, one call.
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, IdParams, Items, Page, PageQuery, strict } from '../platform/http/schemas.ts';
import type { ProblemCode } from '../platform/problem-codes.ts';
import { pageRequest } from '../platform/pagination.ts';
import { ACTING_PROBLEMS } from '../accounts/index.ts';
import { Bundle } from '../registry/index.ts';
import { backChargeRecord, createChargeRecord } from './charges.ts';
import { allocateDischargeRecord, createDischargeRecord, issueDischargeCertificates } from './discharges.ts';
import { importAllocations } from './allocations-import.ts';
import { importStorageReadings } from './readings.ts';
import { getChargeRecord, getDischargeRecord, listChargeRecords, listDischargeRecords } from './records.ts';
import {
  ChargeCertificates,
  ChargeRecord,
  DischargeRecord,
  MutableChargeRecord,
  MutableDischargeRecord,
  NewChargeRecord,
  NewDischargeRecord,
  RecordFilter,
} from './schemas.ts';
import {
  updateChargeRecord,
  updateDischargeRecord,
  withdrawChargeRecord,
  withdrawDischargeRecord,
} from './withdraw.ts';

const tags = ['storage'];

/** What recording for a storage device may be refused with. */
const RECORDING: ProblemCode[] = ['device_not_found', 'not_a_storage_device', ...ACTING_PROBLEMS];
const INTERVAL: ProblemCode[] = ['reversed_interval', 'interval_across_hours', 'future_interval', 'already_recorded'];
/** What backing a charge with certificates may be refused with (the registry's cancel, and the hour and Wh rules). */
const BACKING: ProblemCode[] = [
  'duplicate_bundle_id',
  'bundle_not_found',
  'bundle_not_in_account',
  'invalid_status',
  'insufficient_quantity',
  'charge_not_of_its_hour',
  'over_charge',
  'record_withdrawn',
];

const Filter = Type.Object({ ...RecordFilter.properties, ...PageQuery }, strict);

export async function storageRoutes(app: App, ctx: AppContext): Promise<void> {
  const now = () => ctx.clock.now();
  const lifetime = ctx.config.certificateLifetimeDays;
  // The storage readings template arrives as it is written: CSV text, read in this module's scope.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/api/storage/charge-records',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createStorageChargeRecord',
        tags,
        summary: 'Record a charge of a storage device (SCR), optionally backed by certificates',
        description:
          'By a member of the storage device’s account, or the issuing body. With `certificates`, those bundles are ' +
          'cancelled to the device (beneficiary: the device) and back the record, Wh for Wh; they must be of its hour.',
        body: NewChargeRecord,
        response: { 201: ChargeRecord },
        problems: [...RECORDING, ...INTERVAL, ...BACKING],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createChargeRecord(request.db, caller(request), request.body, now())),
  );

  app.post(
    '/api/storage/charge-records/:id/certificates',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'backStorageChargeRecord',
        tags,
        summary: 'Back a charge record with certificates of its hour, cancelled to the storage device',
        description:
          'The registry’s cancel, on bundles of an account the caller may act on; all or nothing. The record’s ' +
          'backing never passes its charged Wh, and a cancelled charge bundle can no longer be claimed.',
        params: IdParams,
        body: ChargeCertificates,
        response: { 200: ChargeRecord },
        problems: ['scr_not_found', ...RECORDING, ...BACKING],
      },
    },
    async (request) => backChargeRecord(request.db, caller(request), request.params.id, request.body, now()),
  );

  app.post(
    '/api/storage/discharge-records',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createStorageDischargeRecord',
        tags,
        summary: 'Record a discharge of a storage device (SDR) and allocate it from backed charge',
        description:
          'Its efficiency is measured over its period (discharge ÷ charge of the device’s live records, at most 1). ' +
          'It is allocated at once, FIFO or LIFO, from charge backed and ended before it starts, losses applied.',
        body: NewDischargeRecord,
        response: { 201: DischargeRecord },
        problems: [...RECORDING, ...INTERVAL, 'reversed_period', 'efficiency_above_measured'],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDischargeRecord(request.db, caller(request), request.body, now())),
  );

  app.post(
    '/api/storage/discharge-records/:id/allocate',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'allocateStorageDischargeRecord',
        tags,
        summary: 'Allocate what is left of a discharge from charge backed since',
        description: 'In the record’s declared order, with its efficiency; allocates nothing when no charge is free.',
        params: IdParams,
        response: { 200: DischargeRecord },
        problems: ['sdr_not_found', 'record_withdrawn', 'no_efficiency', ...RECORDING],
      },
    },
    async (request) => allocateDischargeRecord(request.db, caller(request), request.params.id, now()),
  );

  app.post(
    '/api/storage/discharge-records/:id/issue',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'issueStorageDischargeCertificates',
        tags,
        summary: 'Issue SD-GCs for a discharge record’s allocations not issued yet',
        description:
          'One SD-GC bundle per allocation, into the storage device’s account, from its id counter; each inherits ' +
          'its charge certificates’ energy source, device (origin_device_id) and production hour.',
        params: IdParams,
        response: { 201: Items(Bundle, 'The SD-GC bundles issued') },
        problems: ['sdr_not_found', 'record_withdrawn', 'nothing_to_issue', 'issuance_metadata_missing', ...RECORDING],
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        items: await issueDischargeCertificates(request.db, caller(request), request.params.id, lifetime, now()),
      }),
  );

  app.post(
    '/api/storage/readings',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'importStorageReadings',
        tags,
        summary: 'Record a storage device’s readings (storage readings template CSV)',
        description:
          '`text/csv` with `flow_start_datetime,flow_end_datetime,flow_energy[,validator_id]`: a negative flow is a ' +
          'charge record, a positive one a discharge record (allocated at once), in Wh. All or nothing; refusals name the row.',
        querystring: Type.Object({ device_id: { ...Id('The storage device'), examples: [2] } }, strict),
        body: Type.String({
          description: 'The CSV',
          examples: [
            'flow_start_datetime,flow_end_datetime,flow_energy,validator_id\n2026-06-01T10:00:00Z,2026-06-01T11:00:00Z,-400000,meter-1',
          ],
        }),
        response: {
          201: Type.Object(
            {
              charge_record_ids: Type.Array(Id('Charge record')),
              discharge_record_ids: Type.Array(Id('Discharge record')),
              skipped: Type.Integer({ description: 'Rows of zero flow' }),
            },
            {
              description: 'The records made',
              examples: [{ charge_record_ids: [1], discharge_record_ids: [], skipped: 0 }],
            },
          ),
        },
        problems: [...RECORDING, ...INTERVAL, 'invalid_csv', 'invalid_reading', 'too_many_rows'],
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await importStorageReadings(request.db, caller(request), request.query.device_id, request.body, now())),
  );

  app.post(
    '/api/storage/allocations',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'importStorageAllocations',
        tags,
        summary: 'Declare allocations of discharge to charge (storage allocation template CSV)',
        description:
          '`text/csv` with `scr_allocation_id,sdr_allocation_id,sdr_proportion` and optionally the template’s other ' +
          'columns: that share of the discharge record, from that charge record (its `gc_allocation_id` bundle), with ' +
          'at most the discharge’s efficiency. All or nothing; refusals name the row.',
        body: Type.String({
          description: 'The CSV',
          examples: ['scr_allocation_id,sdr_allocation_id,sdr_proportion,scr_allocation_methodology\n1,1,0.5,FIFO'],
        }),
        response: {
          201: Type.Object(
            {
              allocations: Type.Integer({ description: 'Rows allocated' }),
              discharge_wh: Type.Integer({ description: 'Wh of discharge they cover' }),
            },
            { description: 'What was allocated', examples: [{ allocations: 1, discharge_wh: 150000 }] },
          ),
        },
        problems: [
          'sdr_not_found',
          'record_withdrawn',
          'no_efficiency',
          'efficiency_above_measured',
          'allocation_too_large',
          'allocation_methodology_fixed',
          'invalid_csv',
          'too_many_rows',
          ...RECORDING,
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await importAllocations(request.db, caller(request), request.body, now())),
  );

  for (const kind of ['charge', 'discharge'] as const) {
    const charge = kind === 'charge';
    const path = `/api/storage/${kind}-records`;
    const Name = charge ? 'StorageChargeRecord' : 'StorageDischargeRecord';
    const Record = charge ? ChargeRecord : DischargeRecord;
    const missing: ProblemCode = charge ? 'scr_not_found' : 'sdr_not_found';

    app.get(
      path,
      {
        config: { access: 'user' },
        schema: {
          operationId: `list${Name}s`,
          tags,
          summary: `${charge ? 'Charge' : 'Discharge'} records the caller may read`,
          description: 'In id order; `from`/`to` select by start time.',
          querystring: Filter,
          response: { 200: Page(Record, `${charge ? 'Charge' : 'Discharge'} records in id order`) },
          problems: ['account_not_found', 'invalid_cursor'],
        },
      },
      async (request) => {
        const { limit: _l, cursor: _c, ...filter } = request.query;
        const page = pageRequest(request.query, 'querystring');
        return charge
          ? listChargeRecords(request.db, caller(request), filter, page)
          : listDischargeRecords(request.db, caller(request), filter, page);
      },
    );

    app.get(
      `${path}/:id`,
      {
        config: { access: 'user' },
        schema: {
          operationId: `get${Name}`,
          tags,
          summary: `One ${kind} record`,
          description: charge ? 'With the certificates backing it.' : 'With its allocations and their SD-GCs.',
          params: IdParams,
          response: { 200: Record },
          problems: [missing],
        },
      },
      async (request) =>
        charge
          ? getChargeRecord(request.db, caller(request), request.params.id)
          : getDischargeRecord(request.db, caller(request), request.params.id),
    );

    app.post(
      `${path}/:id/withdraw`,
      {
        config: { access: ['issuer'] },
        schema: {
          operationId: `withdraw${Name}`,
          tags,
          summary: `Withdraw a ${kind} record (issuing body)`,
          description:
            'Refused while it backs SD-GCs that are not withdrawn; otherwise its allocations are released, ' +
            'freeing their Wh.',
          params: IdParams,
          response: { 200: Record },
          problems: [
            missing,
            'record_withdrawn',
            'backs_live_certificates',
            'device_not_found',
            'not_a_storage_device',
          ],
        },
      },
      async (request) =>
        charge
          ? withdrawChargeRecord(request.db, caller(request), request.params.id, now())
          : withdrawDischargeRecord(request.db, caller(request), request.params.id, now()),
    );
  }

  app.patch(
    '/api/storage/charge-records/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateStorageChargeRecord',
        tags,
        summary: 'Change a charge record’s description of its geographic matching',
        description: 'Its only mutable field; what it charged and what backs it change only by withdrawal.',
        params: IdParams,
        body: MutableChargeRecord,
        response: { 200: ChargeRecord },
        problems: ['scr_not_found', 'record_withdrawn', ...RECORDING],
      },
    },
    async (request) => updateChargeRecord(request.db, caller(request), request.params.id, request.body, now()),
  );

  app.patch(
    '/api/storage/discharge-records/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateStorageDischargeRecord',
        tags,
        summary: 'Change a discharge record’s description of its efficiency methodology',
        description: 'Its only mutable field; its allocation order is fixed once recorded (the draft’s advice).',
        params: IdParams,
        body: MutableDischargeRecord,
        response: { 200: DischargeRecord },
        problems: ['sdr_not_found', 'record_withdrawn', ...RECORDING],
      },
    },
    async (request) => updateDischargeRecord(request.db, caller(request), request.params.id, request.body, now()),
  );
}
