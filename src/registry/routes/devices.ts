import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { IdParams, Page, PageQuery, strict } from '../../platform/http/schemas.ts';
import { ACTING_PROBLEMS } from '../../accounts/index.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { listTechnologies, changeMeteringPoint } from '../../metering/index.ts';
import { createDevice, decommissionDevice, getDevice, listDevices, changeDevice } from '../devices.ts';
import { Device, DevicePatch, NewDevice } from '../schemas.ts';

const tags = ['devices'];

export async function deviceRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/devices',
    {
      config: { access: ['producer', 'issuer'] },
      schema: {
        operationId: 'registerDevice',
        tags,
        summary: 'Register a device',
        description:
          'Producers register devices in their own accounts; issuers in any. The technology and fuel codes must be ' +
          'in the EECS table, and energy_source must agree with them.',
        body: NewDevice,
        response: { 201: Device },
        problems: [
          'technology_code_required',
          'fuel_code_required',
          'unknown_technology',
          'energy_source_mismatch',
          'invalid_energy_source',
          'invalid_date',
          'invalid_time_zone',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createDevice(request.db, caller(request), request.body, ctx.config.certificateIdStart)),
  );

  app.get(
    '/api/devices',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listDevices',
        tags,
        summary: 'Devices the caller may read',
        description: 'Devices of the accounts the caller may read, in id order.',
        querystring: Type.Object(
          {
            account_id: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Only devices of this account',
                examples: [1],
              }),
            ),
            ...PageQuery,
          },
          strict,
        ),
        response: { 200: Page(Device, 'Devices') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) =>
      listDevices(
        request.db,
        caller(request),
        { account_id: request.query.account_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/devices/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getDevice',
        tags,
        summary: 'One device',
        description: 'With its current issuance metadata and the id its next certificate gets.',
        params: IdParams,
        response: { 200: Device },
        problems: ['device_not_found'],
      },
    },
    async (request) => getDevice(request.db, caller(request), request.params.id),
  );

  app.delete(
    '/api/devices/:id',
    {
      config: { access: ['producer', 'issuer'] },
      schema: {
        operationId: 'decommissionDevice',
        tags,
        summary: 'Decommission a device',
        description:
          'From now on nothing the device produces is issued (hours before stay issuable) and automatic issuance ' +
          'stops; the device, its certificates and readings stay. Decommissioning it again changes nothing.',
        params: IdParams,
        response: { 200: Device },
        problems: ['device_not_found', ...ACTING_PROBLEMS],
      },
    },
    async (request) => decommissionDevice(request.db, caller(request), request.params.id, ctx.clock.now()),
  );

  app.patch(
    '/api/devices/:id',
    {
      config: { access: ['producer', 'issuer'] },
      schema: {
        operationId: 'updateDevice',
        tags,
        summary: 'Change a device, link its metering point, switch auto-issue',
        description: 'New issuance metadata applies to certificates issued from now on.',
        params: IdParams,
        body: DevicePatch,
        response: { 200: Device },
        problems: [
          'device_not_found',
          'metering_point_not_found',
          'device_of_another_account',
          'consumption_point_with_device',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request) => {
      const { metering_point_id, ...change } = request.body;
      // Linking and changing happen in one transaction: a refused change links nothing. The device's
      // row is locked before the point's, in the order issuance takes them, so the two never deadlock.
      return request.db.transaction().execute(async (trx) => {
        const now = ctx.clock.now();
        const device = await changeDevice(trx, caller(request), request.params.id, change, now);
        if (metering_point_id !== undefined)
          await changeMeteringPoint(trx, caller(request), metering_point_id, { device_id: request.params.id }, now);
        return device;
      });
    },
  );

  app.get(
    '/api/technologies',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listTechnologies',
        tags,
        summary: 'EECS technology and fuel codes with their labels',
        description: 'The shipped EECS table; give both codes to look up one label.',
        querystring: Type.Object(
          {
            technology_code: Type.Optional(
              Type.String({ description: 'Only this technology code, e.g. T010101', examples: ['T010101'] }),
            ),
            fuel_code: Type.Optional(
              Type.String({ description: 'Only this fuel code, e.g. F01040100', examples: ['F01040100'] }),
            ),
          },
          strict,
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object({
                  technology_code: Type.String({ description: 'EECS technology code' }),
                  fuel_code: Type.String({ description: 'EECS fuel code' }),
                  label: Type.String({ description: 'Solar, Wind, Hydro, …' }),
                }),
                { description: 'Matching rows of the table' },
              ),
            },
            {
              description: 'The matching technologies',
              examples: [{ items: [{ technology_code: 'T010101', fuel_code: 'F01040100', label: 'Solar' }] }],
            },
          ),
        },
      },
    },
    async (request) => ({
      items: listTechnologies().filter(
        (t) =>
          (request.query.technology_code ?? t.technology_code) === t.technology_code &&
          (request.query.fuel_code ?? t.fuel_code) === t.fuel_code,
      ),
    }),
  );
}
