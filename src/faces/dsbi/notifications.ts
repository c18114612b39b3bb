// DSBI's user notifications (reference §6): each user's switches, grouped by kind, and the kinds an
// admin keeps, onto the market's notification switches.
import {
  createNotificationType,
  deleteNotificationType,
  listNotifications,
  listNotificationTypes,
  renameNotificationType,
  setNotificationState,
  uuidsOf,
} from '../../market/index.ts';
import type { Face } from './face.ts';
import { boolean, text } from './fields.ts';
import { answer, answering, fieldError } from './wire.ts';

const NOTIFICATION_PATH = '/api/user/notification/:id(^[0-9]+$)/';
const TYPE_PATH = '/api/user/notification_type/:id(^[0-9]+$)/';

export function notificationRoutes(face: Face): void {
  const similar = () => fieldError('name', 'Similar notification event already exists');
  const noType = () => answer(400, { message: 'UserNotificationType matching query does not exist' });

  face.route({
    method: 'GET',
    path: '/api/user/notification/',
    access: 'user',
    handler: async ({ caller, db }) => {
      const principal = caller();
      const switches = await listNotifications(db, principal);
      const uuid = (await uuidsOf(db, [principal.userId])).get(principal.userId) ?? '';
      const byType: Record<string, unknown[]> = {};
      for (const n of switches) {
        const kind = byType[n.type] ?? [];
        kind.push({
          id: n.id,
          user: uuid,
          notification_title: n.title,
          notification_description: n.description,
          state: n.state,
        });
        byType[n.type] = kind;
      }
      return byType;
    },
  });
  face.redirectToSlash('/api/user/notification');

  for (const method of ['PUT', 'PATCH'] as const)
    face.route({
      method,
      path: NOTIFICATION_PATH,
      access: 'user',
      body: { state: boolean() },
      handler: async ({ body, params, caller, db }) => {
        const n = await answering(
          { notification_not_found: () => answer(404, { message: 'UserNotification matching query not found' }) },
          () => setNotificationState(db, caller(), Number(params.id), body.state),
        );
        return { state: n.state };
      },
    });
  face.redirectToSlash('/api/user/notification/:id(^[0-9]+$)');

  face.route({
    method: 'GET',
    path: '/api/user/notification_type/',
    access: ['admin'],
    handler: async ({ db }) => listNotificationTypes(db),
  });
  face.route({
    method: 'POST',
    path: '/api/user/notification_type/',
    access: ['admin'],
    status: 201,
    body: { name: text({ max: 255 }) },
    handler: async ({ body, caller, db }) =>
      answering({ similar_notification_type: similar }, () => createNotificationType(db, caller(), body.name)),
  });
  face.redirectToSlash('/api/user/notification_type');

  for (const method of ['PUT', 'PATCH'] as const)
    face.route({
      method,
      path: TYPE_PATH,
      access: ['admin'],
      body: { name: text({ max: 255 }) },
      handler: async ({ body, params, caller, db }) =>
        answering({ similar_notification_type: similar, notification_type_not_found: noType }, () =>
          renameNotificationType(db, caller(), Number(params.id), body.name),
        ),
    });
  face.route({
    method: 'DELETE',
    path: TYPE_PATH,
    access: ['admin'],
    handler: async ({ params, reply, caller, db }) => {
      await answering({ notification_type_not_found: noType }, () =>
        deleteNotificationType(db, caller(), Number(params.id)),
      );
      return reply.code(204).send();
    },
  });
  face.redirectToSlash('/api/user/notification_type/:id(^[0-9]+$)');
}
