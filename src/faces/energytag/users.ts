// The draft's users (`/users/user`, `/{id}`), onto identity's functions: an admin creates users
// with a role and a password, reads them, and changes their role. Organisations come with issue 12
// §2; a user's organisation id is checked as a UUID and not kept until then.
import { Type } from 'typebox';
import { createUser, getUser, Registration, setRole, type UserView } from '../../identity/index.ts';
import { notFound } from '../../platform/errors.ts';
import type { Principal, Role } from '../../platform/principal.ts';
import type { Face } from './face.ts';
import { uuidOf } from './ids.ts';
import { entityId, Uuid } from './shapes.ts';
import { refuse, ROLE_WORDS, tallyRole } from './wire.ts';

const Roles = Type.Array(Type.String(), { title: 'Role' });

const UserBase = Type.Object({
  name: Registration.properties.name,
  email: Registration.properties.email,
  role: Roles,
  /** The draft's organisation id (issue 12 §2). */
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

/** The draft's UserRead. */
export const userRead = (u: UserView) => ({
  id: uuidOf('user', u.id),
  name: u.name,
  email: u.email,
  role: [ROLE_WORDS[u.role]],
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
  const db = ctx.database.kysely;

  face.route({
    method: 'POST',
    path: '/users/user',
    access: ['admin'],
    status: 200,
    body: UserBase,
    handler: async ({ body, caller }) => {
      const { user } = await createUser(
        db,
        {
          name: body.name,
          email: body.email,
          password: body.password,
          role: oneRole(body.role),
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
    handler: async ({ params, caller }) => userRead(await getUser(db, readableUser(caller(), params.id ?? ''))),
  });

  face.route({
    method: 'PATCH',
    path: '/users/user/:id',
    access: ['admin'],
    status: 200,
    body: UserUpdate,
    handler: async ({ params, body, caller }) => {
      const id = readableUser(caller(), params.id ?? '');
      if (body.id !== undefined && body.id.toLowerCase() !== uuidOf('user', id))
        throw refuse('id', 'the user id of the body is not the path’s', 'value_error.id');
      for (const field of ['name', 'email'] as const)
        if (body[field] !== undefined)
          throw refuse(field, `Tally does not change a user's ${field}`, 'value_error.immutable');
      return userRead(await setRole(db, id, oneRole(body.role), caller().userId));
    },
  });
}
