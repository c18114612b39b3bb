import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams, Page, PageQuery, withProblems, PointId } from '../../platform/http/schemas.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { listTechnologies } from '../../metering/technology.ts';
import { createDevice, getDevice, listDevices, changeDevice } from '../devices.ts';
import { changeMeteringPoint } from '../../metering/points.ts';
import { Device, IssuanceMetadataInput, NewDevice, strict } from '../schemas.ts';

const tags = ['devices'];

export async function deviceRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;

  app.post(
    '/api/devices',
    {
      config: { access: ['producer', 'issuer'] },
      schema: {
        tags,
        summary: 'Register a device',
        description:
          'Producers register devices in their own accounts; issuers in any. The technology and fuel codes must be in the EECS table, and energy_source must agree with them.',
        body: NewDevice,
        response: withProblems({ 201: Device }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDevice(db, caller(request), request.body, ctx.config.certificateIdStart)),
  );

  app.get(
    '/api/devices',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Devices the caller may read',
        querystring: Type.Object(
          { account_id: Type.Optional(Id('Only devices of this account')), ...PageQuery },
          strict,
        ),
        response: withProblems({ 200: Page(Device, 'Devices') }, [400, 401]),
      },
    },
    async (request) =>
      listDevices(
        db,
        caller(request),
        { account_id: request.query.account_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/devices/:id',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'One device', params: IdParams, response: withProblems({ 200: Device }, [401, 404]) },
    },
    async (request) => getDevice(db, caller(request), request.params.id),
  );

  app.patch(
    '/api/devices/:id',
    {
      config: { access: ['producer', 'issuer'] },
      schema: {
        tags,
        summary: 'Change a device, link its metering point, switch auto-issue',
        description: 'New issuance metadata applies to certificates issued from now on.',
        params: IdParams,
        body: Type.Object(
          {
            device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'New name' })),
            capacity: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'New capacity in W (issuing bodies only)',
              }),
            ),
            metering_point_id: Type.Optional({
              ...PointId,
              description:
                'Link this metering point of the same account to the device: its readings feed automatic issuance',
            }),
            auto_issue: Type.Optional(
              Type.Boolean({
                description:
                  'Issue the complete metered hours of the linked production points automatically; only an issuing body turns it on, the holder may turn it off',
              }),
            ),
            issuance_metadata: Type.Optional(IssuanceMetadataInput),
          },
          strict,
        ),
        response: withProblems({ 200: Device }),
      },
    },
    async (request) => {
      const { metering_point_id, ...change } = request.body;
      // Linking and changing happen in one transaction: a refused change links nothing. The device's
      // row is locked before the point's, in the order issuance takes them, so the two never deadlock.
      return db.transaction().execute(async (trx) => {
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
        tags,
        summary: 'EECS technology and fuel codes with their labels',
        description: 'The shipped EECS table; give both codes to look up one label.',
        querystring: Type.Object(
          {
            technology_code: Type.Optional(Type.String({ description: 'Only this technology code, e.g. T010101' })),
            fuel_code: Type.Optional(Type.String({ description: 'Only this fuel code, e.g. F01040100' })),
          },
          strict,
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                technology_code: Type.String({ description: 'EECS technology code' }),
                fuel_code: Type.String({ description: 'EECS fuel code' }),
                label: Type.String({ description: 'Solar, Wind, Hydro, …' }),
              }),
            ),
          }),
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
