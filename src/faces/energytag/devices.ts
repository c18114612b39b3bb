// The draft's devices (`/devices/device`, `/{id}`), onto the registry's device functions. A device
// needs what the draft does not ask (EECS codes, country, location, time zone): Tally's extension
// fields carry them, named as the draft names them on a bundle where it does (`device_location`).
import { Type } from 'typebox';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import {
  createDevice,
  decommissionDevice,
  DeviceChangeRequest,
  type DeviceView,
  getDevice,
  NewDeviceRequest,
  updateDevice,
} from '../../registry/index.ts';
import type { Face } from './face.ts';
import { uuidOf } from './ids.ts';
import { bodyIdIsPath, entityId, Uuid } from './shapes.ts';
import { refuse, tallySource } from './wire.ts';

const n = NewDeviceRequest.properties;
const Location = Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[latitude, longitude]' });

const DeviceBase = Type.Object({
  id: Uuid,
  device_name: n.device_name,
  capacity: n.capacity,
  energy_source: Type.Optional(Type.String()),
  grid: n.grid,
  operational_date: n.operational_date,
  technology_type: Type.Optional(Type.String()),
  peak_demand: Type.Optional(Type.Number()),
  location_id: Type.Optional(Uuid),
  // Tally's extensions
  device_type: n.device_type,
  technology_code: n.technology_code,
  fuel_code: n.fuel_code,
  country: n.country,
  time_zone: n.time_zone,
  device_location: Location,
  issuance_metadata: n.issuance_metadata,
});

/** What the draft's DeviceUpdate may change in Tally; every other field it lists is refused by name. */
const IMMUTABLE = [
  'energy_source',
  'grid',
  'technology_type',
  'operational_date',
  'location_id',
  'meter_id',
  'peak_demand',
  'account',
] as const;
const DeviceUpdate = Type.Object({
  id: Type.Optional(Uuid),
  device_name: DeviceChangeRequest.properties.device_name,
  capacity: DeviceChangeRequest.properties.capacity,
  issuance_metadata: DeviceChangeRequest.properties.issuance_metadata,
  ...Object.fromEntries(IMMUTABLE.map((f) => [f, Type.Optional(Type.Unknown())])),
});

/** The draft's DeviceRead, with Tally's extensions. */
export const deviceRead = (d: DeviceView) => ({
  id: uuidOf('device', d.id),
  account_id: uuidOf('account', d.account_id),
  device_name: d.device_name,
  capacity: d.capacity,
  energy_source: d.energy_source,
  grid: d.grid,
  operational_date: d.operational_date,
  technology_type: d.technology_label ?? d.device_type,
  device_type: d.device_type,
  technology_code: d.technology_code,
  fuel_code: d.fuel_code,
  country: d.country,
  time_zone: d.time_zone,
  device_location: [d.location.latitude, d.location.longitude],
  decommissioned_at: d.decommissioned_at,
});

/** The account a device-or-account UUID names among `id` (the draft's collapsed field). */
function accountOf(uuid: string): number {
  return entityId('account', uuid, ['body', 'id']);
}

export function deviceRoutes(face: Face): void {
  const { ctx } = face;
  const pathId = (id: string | undefined) => entityId('device', id ?? '', ['path', 'id']);
  const readable = (db: Db, principal: Principal, id: string | undefined) => getDevice(db, principal, pathId(id));

  face.route({
    method: 'POST',
    path: '/devices/device',
    access: ['producer', 'issuer'],
    status: 200,
    body: DeviceBase,
    handler: async ({ body, caller, db }) => {
      const source = body.energy_source === undefined ? undefined : tallySource(body.energy_source);
      if (body.energy_source !== undefined && source === undefined)
        throw refuse('energy_source', 'unknown energy source', 'value_error.energy_source');
      const [latitude = Number.NaN, longitude = Number.NaN] = body.device_location;
      if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180))
        throw refuse('device_location', 'latitude within ±90 and longitude within ±180', 'value_error.location');
      const device = await createDevice(
        db,
        caller(),
        {
          device_name: body.device_name,
          account_id: accountOf(body.id),
          device_type: body.device_type,
          technology_code: body.technology_code,
          fuel_code: body.fuel_code,
          energy_source: source,
          capacity: body.capacity,
          operational_date: body.operational_date,
          country: body.country,
          grid: body.grid,
          location: { latitude, longitude },
          time_zone: body.time_zone,
          issuance_metadata: body.issuance_metadata,
        },
        ctx.config.certificateIdStart,
      );
      return deviceRead(device);
    },
  });

  face.route({
    method: 'GET',
    path: '/devices/device/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller, db }) => deviceRead(await readable(db, caller(), params.id)),
  });

  face.route({
    method: 'PATCH',
    path: '/devices/device/:id',
    access: ['producer', 'issuer'],
    status: 200,
    body: DeviceUpdate,
    handler: async ({ params, body, caller, db }) => {
      const id = pathId(params.id);
      bodyIdIsPath('device', body.id, id);
      const fixed = IMMUTABLE.find((f) => (body as Record<string, unknown>)[f] !== undefined);
      if (fixed) throw refuse(fixed, `Tally does not change a device's ${fixed}`, 'value_error.immutable');
      const { device_name, capacity, issuance_metadata } = body;
      return deviceRead(
        await updateDevice(db, caller(), id, { device_name, capacity, issuance_metadata }, ctx.clock.now()),
      );
    },
  });

  // The draft deletes a device; Tally decommissions it (its certificates and events name it).
  face.route({
    method: 'DELETE',
    path: '/devices/device/:id',
    access: ['producer', 'issuer'],
    status: 200,
    handler: async ({ params, caller, db }) =>
      deviceRead(await decommissionDevice(db, caller(), pathId(params.id), ctx.clock.now())),
  });
}
