// The draft's users (`/users/user`, `/{id}`), onto identity's functions: an admin creates users
// with a role, a password and their organisation (the draft's `id`), reads them, changes their
// role or organisation, and deletes them, which deactivates: the ledger names users for ever.
import { Type } from 'typebox';
import { changeUser, createUser, deactivateUser, getUser, Registration, type UserView } from '../../identity/index.ts';
import { notFound } from '../../platform/errors.ts';
import type { Principal, Role } from '../../platform/principal.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { bodyIdIsPath, entityId, Uuid } from './shapes.ts';
import { refuse, ROLE_WORDS, tallyRole } from './wire.ts';

const Roles = Type.Array(Type.String(), { title: 'Role' });

const UserBase = Type.Object({
  name: Registration.properties.name,
  email: Registration.properties.email,
  role: Roles,
  /** The draft's organisation id: the organisation the user belongs to. */
  id: Type.Optional(Uuid),
  /** Tally's extension: the draft creates users without one, and a user logs in with it. */
  password: Registration.properties.password,
});

const UserUpdate = Type.Object({
  id: Type.Optional(Uuid),
  role: Roles,
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

/**
 * The draft's UserRead. Its `id` is the user (the last of the draft's two), and the organisation,
 * the other `id`, is `organisation_id`, as the face names a collapsed id by its title.
 */
export const userRead = (u: UserView) => ({
  id: uuidOf('user', u.id),
  name: u.name,
  email: u.email,
  role: [ROLE_WORDS[u.role]],
  ...(u.organisation_id !== null ? { organisation_id: uuidOf('organisation', u.organisation_id) } : {}),
});

/** The one role of the draft's role list (Tally gives a user one role). */
function oneRole(roles: string[]): Role {
  if (roles.length !== 1) throw refuse('role', 'Tally gives a user exactly one role', 'value_error.role');
  const role = tallyRole(roles[0] ?? '');
  if (!role)
    throw refuse(
      ['body', 'role', 0],
      `unknown role; one of ${Object.values(ROLE_WORDS).join(', ')}`,
      'value_error.role',
    );
  return role;
}

/** The user a path names, if the caller may read it: itself, or anyone for an admin (as Tally's own routes). */
function readableUser(principal: Principal, uuid: string): number {
  const id = entityId('user', uuid, ['path', 'id']);
  if (id !== principal.userId && principal.role !== 'admin') throw notFound('user', uuid);
  return id;
}

export function userRoutes(face: Face): void {
  const { ctx } = face;

  face.route({
    method: 'POST',
    path: '/users/user',
    access: ['admin'],
    status: 200,
    body: UserBase,
    handler: async ({ body, caller, db }) => {
      const { user } = await createUser(
        db,
        {
          name: body.name,
          email: body.email,
          password: body.password,
          role: oneRole(body.role),
          organisation_id: body.id === undefined ? undefined : entityId('organisation', body.id, ['body', 'id']),
          verifiedAt: ctx.clock.now(),
        },
        caller().userId,
      );
      return userRead(user);
    },
  });

  face.route({
    method: 'GET',
    path: '/users/user/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller, db }) => userRead(await getUser(db, readableUser(caller(), params.id ?? ''))),
  });

  face.route({
    method: 'PATCH',
    path: '/users/user/:id',
    access: ['admin'],
    status: 200,
    body: UserUpdate,
    handler: async ({ params, body, caller, db }) => {
      const id = readableUser(caller(), params.id ?? '');
      // The draft's `id` is the user's, its organisation's or (by its title) an account's: read by its kind.
      const organisation = body.id === undefined ? undefined : readUuid(body.id);
      if (organisation?.kind !== 'organisation') bodyIdIsPath('user', body.id, id);
      for (const field of ['name', 'email'] as const)
        if (body[field] !== undefined)
          throw refuse(field, `Tally does not change a user's ${field}`, 'value_error.immutable');
      const change = {
        role: oneRole(body.role),
        ...(organisation?.kind === 'organisation' ? { organisation_id: organisation.id } : {}),
      };
      return userRead(await changeUser(db, id, change, caller().userId));
    },
  });

  face.route({
    method: 'DELETE',
    path: '/users/user/:id',
    access: ['admin'],
    status: 200,
    handler: async ({ params, caller, db }) =>
      userRead(await deactivateUser(db, readableUser(caller(), params.id ?? ''), caller().userId, ctx.clock.now())),
  });
}
