// Auditors read everything and change nothing. One rule for every route, so no new route can forget
// it: an auditor calling a method that changes state is refused before the route runs, unless the
// route says why an auditor may call it (a query that takes its filter as a body, the auditor's
// own credentials) or names auditors in its own access list.
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../platform/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Why an auditor may call this POST, PATCH, PUT or DELETE route; without it, auditors get 403. */
    auditorsMay?: string;
  }
}

const READING = new Set(['GET', 'HEAD', 'OPTIONS']);

export function refuseAuditorChanges(request: FastifyRequest): void {
  if (request.principal?.role !== 'auditor' || READING.has(request.method)) return;
  const { access, auditorsMay } = request.routeOptions.config;
  if (access === undefined || access === 'public' || auditorsMay !== undefined) return;
  if (Array.isArray(access) && access.includes('auditor')) return;
  throw forbidden('auditors_read_only', 'auditors read every account but change nothing');
}
