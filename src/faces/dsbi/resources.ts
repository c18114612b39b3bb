// DSBI's user resources and user wallet (reference §3), onto the market's resources and wallets.
// A wallet is an EVM address; with a `signature` over a challenge (GET …/wallet-address/challenge)
// it is proven, without one it is stored unproven and backs no bid or payout unless the deployment
// trusts unproven wallets.
import {
  createResource,
  deleteResource,
  listResources,
  listWallets,
  registerWallet,
  updateResource,
  walletChallenge,
} from '../../market/index.ts';
import type { Market } from '../../market/index.ts';
import { type Face, slashOptional } from './face.ts';
import { boolean, choice, optional, text, textParam, uuidParam, uuidText } from './fields.ts';
import { resourceOut, tallyType, userFilter, uuidIn, uuidsOfRows, whole } from './views.ts';
import { type Answers, answering, detail, dsbiTime, fieldError, invalid } from './wire.ts';

const RESOURCE_NAME = /^[a-z0-9_-]*$/;
const NAME_MESSAGE =
  "Resource name cannot contain any upper-case characters, spaces or any special characters besides '-' or '_'.";
const NOT_FORECAST = "You can only request forecasts for resources with 'measurements' resource type.";
/** DSBI's resource id in a path: its regex `[0-9a-f-]+`, read as a UUID after. */
const RESOURCE_PATH = '/api/user/resource/:id(^[0-9a-f-]+$)';
export const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

const resourceAnswers: Answers = {
  market_resource_not_found: () => detail(409, 'Resource ID not found.'),
  features_not_forecast: () => invalid({ resource_type: [NOT_FORECAST], to_forecast: [NOT_FORECAST] }),
  resource_name_taken: () => invalid({ non_field_errors: ['The fields user, name, type must make a unique set.'] }),
};

const walletAnswers: Answers = {
  invalid_wallet_address: () => fieldError('wallet_address', 'Invalid wallet address.'),
  wallet_address_taken: () =>
    fieldError('wallet_address', 'user wallet address with this wallet address already exists.'),
  wallet_exists: () => detail(409, 'This user already has an address. Use PUT method to update it.'),
  no_wallet: () => detail(409, 'This user does not have a wallet address yet.'),
  no_live_challenge: (err) => detail(409, err.message),
  wallet_signature_mismatch: (err) => fieldError('signature', err.message),
};

export function resourceRoutes(face: Face, m: Market): void {
  const resourceBody = {
    name: text({ max: 64, pattern: RESOURCE_NAME, patternMessage: NAME_MESSAGE }),
    type: choice(['measurements', 'forecasts']),
    to_forecast: boolean(),
  };

  face.route({
    method: 'GET',
    path: slashOptional('/api/user/resource'),
    access: 'user',
    query: {
      resource: uuidParam('resource'),
      name: textParam(),
      to_forecast: textParam(),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      if (query.name !== undefined && !RESOURCE_NAME.test(query.name))
        throw invalid(["Resource name cannot contain spaces or any special characters besides '-' or '_'."]);
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      // DSBI filters `to_forecast` by the resource's name (so always answers nothing): Tally filters by to_forecast.
      const toForecast = query.to_forecast === undefined ? undefined : query.to_forecast.toLowerCase() === 'true';
      const resources = await whole((page) =>
        listResources(
          db,
          principal,
          { id: query.resource, name: query.name, to_forecast: toForecast, user_id: user },
          page,
        ),
      );
      const uuids = await uuidsOfRows(db, resources);
      return resources.map((r) => resourceOut(r, uuids));
    },
  });

  face.route({
    method: 'POST',
    path: slashOptional('/api/user/resource'),
    access: 'user',
    status: 201,
    body: resourceBody,
    handler: async ({ body, caller, db }) => {
      const r = await answering(resourceAnswers, () =>
        createResource(db, caller(), { name: body.name, type: tallyType(body.type), to_forecast: body.to_forecast }),
      );
      return resourceOut(r, await uuidsOfRows(db, [r]));
    },
  });

  face.route({
    method: 'PATCH',
    path: RESOURCE_PATH,
    access: 'user',
    body: resourceBody,
    handler: async ({ body, params, caller, db }) => {
      const id = uuidText(params.id ?? '');
      if (id === undefined) throw detail(409, 'Resource ID not found.');
      const r = await answering(resourceAnswers, () =>
        updateResource(db, caller(), id, {
          name: body.name,
          type: tallyType(body.type),
          to_forecast: body.to_forecast,
        }),
      );
      return resourceOut(r, await uuidsOfRows(db, [r]));
    },
  });

  face.route({
    method: 'DELETE',
    path: RESOURCE_PATH,
    access: 'user',
    handler: async ({ params, caller, db }) => {
      const principal = caller();
      const id = uuidText(params.id ?? '');
      if (id === undefined) throw detail(409, 'Resource ID not found.');
      await answering(resourceAnswers, () => deleteResource(db, principal, id, m.clock.now()));
      return `Resource ID ${params.id} deleted for user ${principal.email}.`;
    },
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/user/wallet-address'),
    access: 'user',
    query: { user: uuidParam('user') },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const wallets = await listWallets(db, principal, { user_id: user });
      const uuids = await uuidsOfRows(db, wallets);
      return wallets.map((w) => ({
        user: uuidIn(uuids, w.user_id),
        wallet_address: w.wallet_address,
        registered_at: dsbiTime(w.registered_at),
      }));
    },
  });

  for (const [method, mode] of [
    ['POST', 'create'],
    ['PUT', 'replace'],
  ] as const)
    face.route({
      method,
      path: slashOptional('/api/user/wallet-address'),
      access: 'user',
      body: {
        wallet_address: text(),
        signature: optional(
          text({ pattern: SIGNATURE, patternMessage: 'Enter an EIP-191 signature: 0x and 130 hex digits.' }),
        ),
      },
      handler: async ({ body, caller, db }) => {
        const wallet = await answering(walletAnswers, () =>
          registerWallet(
            db,
            caller(),
            { wallet_address: body.wallet_address, signature: body.signature },
            m.clock.now(),
            mode,
          ),
        );
        return { wallet_address: wallet.wallet_address, registered_at: dsbiTime(wallet.registered_at) };
      },
    });

  // Tally's addition: the challenge a wallet's `signature` answers (as GET /api/market/wallet/challenge).
  face.route({
    method: 'GET',
    path: '/api/user/wallet-address/challenge',
    access: 'user',
    handler: async ({ caller, db }) => {
      const challenge = await walletChallenge(db, caller(), m.clock.now());
      return { message: challenge.message, expires_at: dsbiTime(challenge.expires_at) };
    },
  });
}
