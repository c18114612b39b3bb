// Every /api route states who may call it in `config.access`; a route without one refuses to
// register, so no endpoint is open by accident. Finer rules (account membership) are checked
// by the module the route calls.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../principal.ts';
import { forbidden, unauthorized } from '../errors.ts';

/** `public`: anyone; `user`: any verified user; a list of roles: those roles (admin always passes). */
export type Access = 'public' | 'user' | readonly Role[];

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function registerAccessRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.config?.access === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no access rule`);
    }
  });
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const principal = request.principal;
    if (!principal) throw unauthorized();
    if (access !== 'user' && principal.role !== 'admin' && !access.includes(principal.role)) {
      throw forbidden(
        'role_required',
        `this endpoint needs the role ${access.join(' or ')}; you are ${principal.role}`,
      );
    }
  });
}

/** The authenticated caller of a route whose access rule is not `public`. */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
