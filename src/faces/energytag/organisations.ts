// The draft's organisations (`/organisations/organisation`, `/{id}`), onto identity's organisations
// and accounts' deletion of one: an admin creates, changes and deletes them; a user reads its own,
// the overseeing roles any. Status 200 for all four, as the draft declares.
import { Type } from 'typebox';
import { deleteOrganisation } from '../../accounts/index.ts';
import {
  createOrganisation,
  getOrganisation,
  NewOrganisation,
  OrganisationChange,
  type OrganisationView,
  updateOrganisation,
} from '../../identity/index.ts';
import type { Face } from './face.ts';
import { uuidOf } from './ids.ts';
import { bodyIdIsPath, entityId, Uuid } from './shapes.ts';

const n = NewOrganisation.properties;
const OrganisationBase = Type.Object({
  name: n.name,
  business_id: n.business_id,
  email: n.email,
  address: n.address,
  website: n.website,
});
const OrganisationUpdate = Type.Object({ id: Type.Optional(Uuid), ...OrganisationChange.properties });

/** The draft's Organisation and OrganisationRead; an address or website Tally does not have is left out. */
export const organisationRead = (o: OrganisationView) => ({
  id: uuidOf('organisation', o.id),
  name: o.name,
  business_id: o.business_id,
  email: o.email,
  ...(o.address !== null ? { address: o.address } : {}),
  ...(o.website !== null ? { website: o.website } : {}),
});

export function organisationRoutes(face: Face): void {
  const { ctx } = face;
  const pathId = (id: string | undefined) => entityId('organisation', id ?? '', ['path', 'id']);

  face.route({
    method: 'POST',
    path: '/organisations/organisation',
    access: ['admin'],
    status: 200,
    body: OrganisationBase,
    handler: async ({ body, caller, db }) => organisationRead(await createOrganisation(db, caller(), body)),
  });

  face.route({
    method: 'GET',
    path: '/organisations/organisation/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller, db }) => organisationRead(await getOrganisation(db, caller(), pathId(params.id))),
  });

  face.route({
    method: 'PATCH',
    path: '/organisations/organisation/:id',
    access: ['admin'],
    status: 200,
    body: OrganisationUpdate,
    handler: async ({ params, body, caller, db }) => {
      const id = pathId(params.id);
      const { id: bodyId, ...change } = body;
      bodyIdIsPath('organisation', bodyId, id);
      return organisationRead(await updateOrganisation(db, caller(), id, change, ctx.clock.now()));
    },
  });

  face.route({
    method: 'DELETE',
    path: '/organisations/organisation/:id',
    access: ['admin'],
    status: 200,
    handler: async ({ params, caller, db }) =>
      organisationRead(await deleteOrganisation(db, caller(), pathId(params.id), ctx.clock.now())),
  });
}
