// Examples for the OpenAPI document, from the README's worked example: Solar Co (account 1) sells
// certificates to Buyer Ltd (account 2). Each must be valid against its schema: `redocly lint`
// checks them in the OpenAPI test.

const created = '2026-06-01T08:00:00.000Z';

export const account = {
  id: 1,
  account_name: 'Solar Co',
  created_at: created,
  updated_at: created,
  closed_at: null,
  organisation_id: 1,
};

export const member = {
  user_id: 2,
  email: 'producer@example.com',
  name: 'producer',
  role: 'producer',
  added_at: created,
};

export const invitation = {
  id: 1,
  account_id: 1,
  user_id: null,
  email: 'colleague@example.com',
  invited_by: 2,
  created_at: created,
  status: 'pending',
};

export const whitelist = { account_id: 2, accepts_from: [1], accepted_by: [] };
