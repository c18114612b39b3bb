// Request and answer schemas of the account routes; field names follow the EnergyTag GC API draft.
import { Type } from 'typebox';
import { component, Id, Nullable, NullableId, Timestamp } from '../platform/http/schemas.ts';
import * as example from './examples.ts';

export const AccountName = Type.String({ minLength: 1, maxLength: 200, description: 'Name of the account' });

export const Account = component(
  'Account',
  Type.Object(
    {
      id: Id('Account id'),
      account_name: Type.String({ description: 'Name of the account' }),
      created_at: Timestamp('Creation time'),
      updated_at: Timestamp('Last change'),
      closed_at: Type.Union([Timestamp('When the account was closed'), Type.Null()]),
      organisation_id: NullableId('The organisation that owns the account, if any; fixed at creation'),
    },
    { description: 'An account that holds certificates', examples: [example.account] },
  ),
);

export const Member = component(
  'Member',
  Type.Object(
    {
      user_id: Id('User id'),
      email: Type.String({ description: 'Email of the member' }),
      name: Type.String({ description: 'Name of the member' }),
      role: Type.String({ description: 'Role of the member' }),
      added_at: Timestamp('When the user joined the account'),
    },
    { description: 'A member of an account', examples: [example.member] },
  ),
);

export const Invitation = component(
  'Invitation',
  Type.Object(
    {
      id: Id('Invitation id'),
      account_id: Id('The account the user is invited to'),
      user_id: NullableId('The invited user, when invited by id'),
      email: Nullable(Type.String({ description: 'The invited email address, when invited by email' })),
      invited_by: Id('The member who invited'),
      created_at: Timestamp('When the invitation was made'),
      status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('declined')], {
        description: 'Whether the user has answered',
      }),
    },
    { description: 'An invitation to join an account', examples: [example.invitation] },
  ),
);

export const Whitelist = component(
  'Whitelist',
  Type.Object(
    {
      account_id: Id('The account'),
      accepts_from: Type.Array(Id('Account'), { description: 'Accounts whose transfers this account accepts' }),
      accepted_by: Type.Array(Id('Account'), { description: 'Accounts that accept transfers from this account' }),
    },
    {
      description: 'Whose transfers the account accepts, and who accepts its transfers',
      examples: [example.whitelist],
    },
  ),
);
