// Sends an action's request with its Idempotency-Key (api/idempotency.ts): a retry of a request
// whose answer never came, under the same key, gets the first answer instead of acting twice (a
// second partial transfer of the same bundle would otherwise succeed).
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import type { ActionRequest } from './actions';

export function send(request: ActionRequest, header: KeyHeader) {
  const params = { header };
  // One call per route: openapi-fetch types each body by its literal path.
  switch (request.action) {
    case 'transfer':
      return api.POST('/api/certificates/transfer', { params, body: request.body });
    case 'cancel':
      return api.POST('/api/certificates/cancel', { params, body: request.body });
    case 'claim':
      return api.POST('/api/certificates/claim', { params, body: request.body });
    default:
      return api.POST(`/api/certificates/${request.action}`, { params, body: request.body });
  }
}
