// What the identity routes take and answer: the routes validate and document with these schemas,
// and users.ts, tokens.ts and api-keys.ts return their static types.
import { Type } from 'typebox';
import { component, Id, Nullable, NullableId, OneOf, strict, Timestamp } from '../platform/http/schemas.ts';
import { ROLES } from './tables.ts';

const Email = Type.String({ format: 'email', maxLength: 320, description: 'Email address, used to log in' });
/** What a new password must be, wherever one is set (the DSBI face's registration too). */
export const PASSWORD_RULE = { minLength: 10, maxLength: 1024 } as const;
const Password = Type.String({ ...PASSWORD_RULE, description: `At least ${PASSWORD_RULE.minLength} characters` });
const Role = OneOf(ROLES, { description: 'admin, issuer (issuing body), producer, trader or auditor' });
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Display name' });
const login = { email: 'producer@example.com', password: 'producer-password' };

export const User = component(
  'User',
  Type.Object(
    {
      id: Id('User id'),
      email: Email,
      name: Type.String({ description: 'Display name' }),
      role: Role,
      email_verified: Type.Boolean({ description: 'Whether the email address was verified' }),
      created_at: Timestamp('When the user registered'),
      organisation_id: NullableId('The organisation the user belongs to, if any'),
      deactivated_at: Nullable(Timestamp('When an admin deactivated the user; it can no longer log in')),
    },
    {
      description: 'A user',
      examples: [
        {
          id: 2,
          email: 'producer@example.com',
          name: 'Solar Co operator',
          role: 'producer',
          email_verified: true,
          created_at: '2026-06-01T08:00:00.000Z',
          organisation_id: 1,
          deactivated_at: null,
        },
      ],
    },
  ),
);

/** A self-registration; an admin's new user (NewUser) adds the role. */
export const Registration = Type.Object(
  { email: Email, password: Password, name: Name },
  { ...strict, examples: [{ email: 'buyer@example.com', password: 'buyer-password', name: 'Buyer' }] },
);

export const Registered = Type.Object(
  {
    id: Id('User id'),
    email: Email,
    verification_link: Type.Optional(Type.String({ description: 'Open (GET) to verify the email address' })),
  },
  {
    description: 'The new, unverified user and the link that verifies it',
    examples: [
      {
        id: 4,
        email: 'buyer@example.com',
        verification_link: 'http://127.0.0.1:3000/api/user/verify?token=vt_8Zk2mQ4r',
      },
    ],
  },
);

export const VerificationQuery = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      description: 'The token from the verification link',
      examples: ['vt_8Zk2mQ4r'],
    }),
  },
  strict,
);

export const Login = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 1024, description: 'The password' }) },
  { ...strict, examples: [login] },
);

export const Refresh = Type.Object(
  { refresh: Type.String({ minLength: 1, description: 'The refresh token' }) },
  { ...strict, examples: [{ refresh: 'rt_3q2b7mXwXJ0c9yQ4n1pV' }] },
);

// Not a component: a reader of an operation that hands out secrets sees them written out there.
export const TokenPair = Type.Object(
  {
    access: Type.String({ description: 'JWT access token; send as `Authorization: Bearer <access>`' }),
    refresh: Type.String({ description: 'Refresh token; works once, for POST /api/token/refresh' }),
    token_type: Type.Literal('Bearer', { description: 'Always Bearer' }),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  {
    description: 'A new session: an access token and the refresh token that renews it',
    examples: [
      {
        access: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl',
        refresh: 'rt_3q2b7mXwXJ0c9yQ4n1pV',
        token_type: 'Bearer',
        expires_in: 900,
      },
    ],
  },
);

const UserOrganisation = Id('The organisation the user belongs to (it must exist and not be deleted)');

export const NewUser = Type.Object(
  { email: Email, password: Password, name: Name, role: Role, organisation_id: Type.Optional(UserOrganisation) },
  { ...strict, examples: [{ ...login, name: 'Solar Co operator', role: 'producer', organisation_id: 1 }] },
);

export const UserChange = Type.Object(
  {
    role: Type.Optional(Role),
    organisation_id: Type.Optional(
      Nullable(Id('The organisation the user now belongs to; null: none (it must exist and not be deleted)')),
    ),
  },
  { ...strict, minProperties: 1, examples: [{ role: 'issuer', organisation_id: 1 }] },
);

const apiKeyExample = {
  id: 1,
  name: 'meter uploader',
  prefix: 'tly_9f2c4b',
  created_at: '2026-06-01T09:00:00.000Z',
  last_used_at: null,
  revoked_at: null,
};
export const ApiKey = component(
  'ApiKey',
  Type.Object(
    {
      id: Id('API key id'),
      name: Type.String({ description: 'What the key is for' }),
      prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
      created_at: Timestamp('Creation time'),
      last_used_at: Type.Union([Timestamp('Last use'), Type.Null()]),
      revoked_at: Type.Union([Timestamp('Revocation time'), Type.Null()]),
    },
    { description: 'An API key, without the key itself', examples: [apiKeyExample] },
  ),
);

export const ApiKeyRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for' }) },
  { ...strict, examples: [{ name: 'meter uploader' }] },
);

export const NewApiKey = Type.Intersect(
  [ApiKey, Type.Object({ key: Type.String({ description: 'The key itself, shown once' }) })],
  {
    description: 'The new key, with the key itself shown this once',
    examples: [{ ...apiKeyExample, key: 'tly_9f2c4b1e7a0d5f3c8b6e2a9d1c7f4e0b3a5d8c2e6f1b' }],
  },
);

// --- organisations ------------------------------------------------------------------------------

const organisationExample = {
  id: 1,
  name: 'Solar Co A/S',
  business_id: 12345678,
  email: 'contact@solarco.example',
  address: 'Havnegade 1, 8000 Aarhus C, Denmark',
  website: 'https://solarco.example',
  created_at: '2026-06-01T08:00:00.000Z',
  updated_at: '2026-06-01T08:00:00.000Z',
  deleted_at: null,
};

/** The draft's organisation fields, as created and changed. */
const organisationFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Legal name of the organisation' }),
  business_id: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Business registration number (the draft takes an integer)',
  }),
  email: Type.String({ format: 'email', maxLength: 320, description: 'Email of the primary contact' }),
  address: Type.String({ minLength: 1, maxLength: 1000, description: 'Postal address' }),
  website: Type.String({ minLength: 1, maxLength: 2000, description: 'Website' }),
};

export const Organisation = component(
  'Organisation',
  Type.Object(
    {
      id: Id('Organisation id'),
      name: Type.String({ description: 'Legal name of the organisation' }),
      business_id: Type.Integer({ description: 'Business registration number' }),
      email: Type.String({ description: 'Email of the primary contact' }),
      address: Nullable(Type.String({ description: 'Postal address' })),
      website: Nullable(Type.String({ description: 'Website' })),
      created_at: Timestamp('Creation time'),
      updated_at: Timestamp('Last change'),
      deleted_at: Nullable(Timestamp('When an admin deleted it; it takes no new users or accounts')),
    },
    {
      description: "A party of the registry that owns users and accounts (the EnergyTag draft's organisation)",
      examples: [organisationExample],
    },
  ),
);

export const NewOrganisation = Type.Object(
  {
    name: organisationFields.name,
    business_id: organisationFields.business_id,
    email: organisationFields.email,
    address: Type.Optional(organisationFields.address),
    website: Type.Optional(organisationFields.website),
  },
  {
    ...strict,
    examples: [
      {
        name: organisationExample.name,
        business_id: organisationExample.business_id,
        email: organisationExample.email,
        website: organisationExample.website,
      },
    ],
  },
);

export const OrganisationChange = Type.Object(
  {
    name: Type.Optional(organisationFields.name),
    business_id: Type.Optional(organisationFields.business_id),
    email: Type.Optional(organisationFields.email),
    address: Type.Optional(Nullable(organisationFields.address)),
    website: Type.Optional(Nullable(organisationFields.website)),
  },
  { ...strict, minProperties: 1, examples: [{ website: 'https://solarco.example/en' }] },
);
