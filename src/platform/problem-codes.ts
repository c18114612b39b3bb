// The catalogue of every problem `code` Tally answers with: its HTTP status and what it means.
// errors.ts builds a TallyError only from a code listed here (the type system enforces it), the
// problem mapper (http/problems.ts) only sends these, and the OpenAPI document lists them all.

interface ProblemEntry {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 429 | 500 | 502 | 503;
  meaning: string;
}

export const PROBLEM_CODES = {
  // Requests the HTTP layer refuses before any module sees them.
  invalid_request: {
    status: 400,
    meaning: 'A parameter or body field is missing, of the wrong type or out of range; `errors` names each',
  },
  ctp_invalid_json_body: { status: 400, meaning: 'The body is not valid JSON' },
  ctp_empty_json_body: { status: 400, meaning: 'The content type is JSON but the body is empty' },
  ctp_invalid_content_length: { status: 400, meaning: 'The body is not as long as Content-Length says' },
  bad_url: { status: 400, meaning: 'The URL is not valid' },
  bad_request: { status: 400, meaning: 'The request is malformed in a way the HTTP layer refuses' },
  body_too_deep: { status: 400, meaning: 'The body nests more than 64 levels deep' },
  invalid_text: { status: 400, meaning: 'A text holds a NUL character, which PostgreSQL cannot store' },
  invalid_cursor: { status: 400, meaning: 'The cursor is not one this server issued' },
  invalid_idempotency_key: { status: 400, meaning: 'The Idempotency-Key header is not 1 to 255 characters' },
  invalid_read_after: { status: 400, meaning: 'The Tally-Read-After header is not a log position (like 16/B374D848)' },
  ctp_body_too_large: { status: 413, meaning: 'The body is larger than the server accepts (TALLY_BODY_LIMIT)' },
  max_param_length: { status: 414, meaning: 'A path parameter is too long' },
  ctp_invalid_media_type: { status: 415, meaning: 'The route does not read a body of this content type' },
  unauthorized: {
    status: 401,
    meaning: 'No valid credentials: a bearer token, API key or password is missing or wrong',
  },
  role_required: { status: 403, meaning: 'The route or action needs a role the caller does not have' },
  auditors_read_only: { status: 403, meaning: 'Auditors read every account but change nothing' },
  route_not_found: { status: 404, meaning: 'No route answers this method and path' },
  rate_limited: { status: 429, meaning: 'Too many requests from this caller or address; retry after the time given' },
  concurrent_change: { status: 409, meaning: 'A concurrent request changed or locked the same rows first; retry' },
  idempotency_key_in_progress: {
    status: 409,
    meaning: 'A request with this Idempotency-Key is still being processed',
  },
  idempotency_outcome_unknown: {
    status: 409,
    meaning: 'The first request with this Idempotency-Key committed, but its answer was lost; read the state',
  },
  idempotency_key_reused: { status: 422, meaning: 'This Idempotency-Key was used for a different request' },
  internal_error: { status: 500, meaning: 'A bug: logged with the request id; nothing about it is disclosed' },

  // Things that do not exist, or that the caller may not see (existence is not disclosed).
  account_not_found: { status: 404, meaning: 'No account with this id that the caller may see' },
  api_key_not_found: { status: 404, meaning: 'No API key of the caller with this id' },
  block_not_found: { status: 404, meaning: 'No sealed ledger block at this height' },
  bundle_not_found: { status: 404, meaning: 'No bundle with this id that the caller may see' },
  community_not_found: { status: 404, meaning: 'No community with this id that the caller may see' },
  device_not_found: { status: 404, meaning: 'No device with this id that the caller may see' },
  disclosure_not_found: { status: 404, meaning: 'No disclosure with this id' },
  event_not_found: { status: 404, meaning: 'No ledger event with this id' },
  invitation_not_found: { status: 404, meaning: 'No invitation with this id addressed to the caller' },
  match_not_found: { status: 404, meaning: 'No match with this id in the community' },
  member_not_found: { status: 404, meaning: 'No member with this id' },
  metering_point_not_found: { status: 404, meaning: 'No metering point with this id that the caller may see' },
  statement_not_found: { status: 404, meaning: 'No cancellation statement with this id that the caller may see' },
  user_not_found: { status: 404, meaning: 'No user with this id' },

  // Identity.
  email_taken: { status: 409, meaning: 'A user with this email already exists' },
  email_not_verified: { status: 403, meaning: 'The user has not verified the email address yet' },
  invalid_verification_token: { status: 400, meaning: 'The verification token is unknown or already used' },
  email_already_verified: { status: 409, meaning: 'The email address is already verified' },

  // Accounts, members and whitelists.
  not_a_member: { status: 403, meaning: 'The caller is not a member of the account' },
  account_closed: { status: 409, meaning: 'The account is closed: nothing moves into or out of it' },
  account_not_empty: { status: 409, meaning: 'The account still holds live certificates, so it cannot close' },
  last_member: { status: 409, meaning: 'An account keeps at least one member' },
  member_required: { status: 400, meaning: 'Name the user by user_id or by email, exactly one of them' },
  whitelist_self: { status: 400, meaning: 'An account does not whitelist itself' },
  whitelist_contradiction: { status: 400, meaning: 'An account is both added and removed' },

  // Devices.
  technology_code_required: { status: 400, meaning: 'A production device needs an EECS technology_code' },
  fuel_code_required: { status: 400, meaning: 'A production device needs an EECS fuel_code' },
  unknown_technology: { status: 400, meaning: 'No EECS technology with this technology and fuel code' },
  energy_source_mismatch: { status: 400, meaning: 'energy_source contradicts the technology and fuel codes' },
  invalid_energy_source: { status: 400, meaning: 'A storage device stores battery_storage or hydro energy' },
  invalid_date: { status: 400, meaning: 'The date is not a calendar date' },

  // Issuance.
  invalid_interval: { status: 400, meaning: 'A production interval is not a pair of timestamps' },
  reversed_interval: { status: 400, meaning: 'An interval ends before it starts' },
  interval_too_long: { status: 400, meaning: 'A production interval is longer than one hour' },
  overlapping_intervals: { status: 400, meaning: 'Two intervals of the request overlap' },
  future_interval: { status: 422, meaning: 'Certificates are issued for production that has already happened' },
  over_capacity: { status: 422, meaning: 'More Wh than the device can produce: capacity × hours × 1.1' },
  whole_hour_required: { status: 422, meaning: 'A metered device issues whole UTC hours only' },
  incomplete_hour: { status: 422, meaning: 'Not every metering point of the device has read all of the hour' },
  over_metered: { status: 422, meaning: 'More Wh than the device’s metering points measured in the hour' },
  not_a_production_device: { status: 422, meaning: 'A storage device is not issued certificates' },
  issuance_metadata_missing: { status: 422, meaning: 'The device has no issuance metadata yet' },
  id_space_exhausted: { status: 422, meaning: 'The device would pass the largest certificate id' },
  already_issued: { status: 409, meaning: 'An interval overlaps one already issued for the device or its points' },
  already_reissued: { status: 409, meaning: 'The withdrawn bundle was already re-issued' },
  device_decommissioned: {
    status: 409,
    meaning: 'The device is decommissioned: it is not changed, and nothing it produced after that is issued',
  },

  // Certificate import from another registry.
  invalid_import_row: {
    status: 400,
    meaning: 'A row of a certificate import has a value Tally cannot take; `errors` names its row and column',
  },
  overlapping_ranges: { status: 400, meaning: 'Two rows of an import hold overlapping ids of one origin issuance' },
  already_imported: { status: 409, meaning: 'A row overlaps ids of its origin issuance that were imported before' },
  certificate_expired: { status: 422, meaning: 'The imported certificates have already expired' },
  imported_bundle: {
    status: 422,
    meaning: 'An imported bundle is corrected by its origin registry, not re-issued here',
  },

  // Lifecycle actions.
  duplicate_bundle_id: { status: 400, meaning: 'A bundle id is listed twice' },
  target_required: { status: 400, meaning: 'A transfer names its target_id' },
  same_account: { status: 400, meaning: 'The target is the source account' },
  beneficiary_required: { status: 400, meaning: 'A cancellation names its beneficiary' },
  consumer_required: { status: 400, meaning: 'The consumer is missing, or named in two ways at once' },
  period_incomplete: { status: 400, meaning: 'Give both ends of the period, or neither' },
  transfer_not_accepted: { status: 422, meaning: 'The target does not exist or has not whitelisted the source' },
  point_of_another_account: { status: 422, meaning: 'The metering point belongs to another account' },
  insufficient_quantity: { status: 422, meaning: 'The bundles hold fewer Wh than certificate_quantity' },
  bundle_not_in_account: { status: 409, meaning: 'A bundle is not held by the source account' },
  invalid_status: { status: 409, meaning: 'A bundle is in a status the action does not start from' },
  charged_into_storage: {
    status: 409,
    meaning: 'The bundle was cancelled to charge a storage device; its energy is claimed through SD-GCs',
  },
  range_needs_issuance: { status: 400, meaning: 'A range of certificate ids is given without its issuance' },
  reversed_range: { status: 400, meaning: 'A range of certificate ids ends before it starts' },
  range_inside_bundle: {
    status: 422,
    meaning: "A range of certificate ids starts inside a held bundle, not at the bundle's first id",
  },
  status_not_acted_on: { status: 422, meaning: 'The filter names a status the action does not start from' },
  no_matching_certificates: { status: 422, meaning: 'No certificate of the account matches the selection' },
  too_many_matching: { status: 422, meaning: 'More bundles match than one action takes; narrow the selection' },
  whole_bundles_only: {
    status: 422,
    meaning: "A holder's reference is set on whole bundles: the quantity ends inside a bundle",
  },

  // Standing orders.
  standing_order_not_found: { status: 404, meaning: 'No standing order with this id, or not one the caller may read' },
  standing_order_ended: { status: 409, meaning: 'The standing order has ended already' },
  first_period_past: { status: 400, meaning: "A standing order's first period starts before now" },

  // Periods and dates.
  reversed_period: { status: 400, meaning: 'A period ends before it starts' },
  period_too_long: { status: 400, meaning: 'A period spans more days than allowed' },
  date_out_of_range: { status: 400, meaning: 'A date is not between the years 2000 and 9998' },
  invalid_time_zone: { status: 400, meaning: 'Not an IANA time zone' },
  invalid_days: { status: 400, meaning: 'A number of days is not a whole number of at least 1 (CLI)' },

  // Metering points and readings.
  metering_point_exists: { status: 409, meaning: 'A metering point with this id is already registered' },
  metering_point_has_readings: { status: 409, meaning: 'The metering point has readings, so it stays' },
  metering_point_has_claims: { status: 409, meaning: 'Certificates are claimed against the metering point' },
  not_a_consumption_point: { status: 400, meaning: 'The metering point is not a consumption point' },
  consumption_point_with_device: { status: 422, meaning: 'A consumption metering point feeds no device' },
  device_of_another_account: { status: 422, meaning: 'The device belongs to another account' },
  invalid_reading: { status: 400, meaning: 'A reading’s time, length or value is not acceptable' },
  invalid_csv: { status: 400, meaning: 'The CSV lacks a column or cannot be read' },
  too_many_rows: { status: 400, meaning: 'An upload holds more than 100,000 readings' },
  metering_point_required: { status: 400, meaning: 'A multi-point upload names the metering_point_id of every row' },
  other_metering_point: { status: 400, meaning: 'A row names another metering point than the path' },
  overlapping_readings: {
    status: 409,
    meaning: 'A reading overlaps a stored reading of a different length',
  },
  future_reading: { status: 422, meaning: 'The reading’s interval has not ended yet' },
  reading_issued: {
    status: 409,
    meaning: 'The hour already has live certificates; the issuing body withdraws them before a revision',
  },
  invalid_register_reading: { status: 400, meaning: 'A register reading’s time or values are not acceptable' },
  duplicate_register_reading: { status: 400, meaning: 'Two register readings of the request have the same time' },
  register_reading_exists: { status: 409, meaning: 'A different register reading is stored at that time' },
  register_decreased: { status: 422, meaning: 'A cumulative register decreases in time' },

  // Energy communities.
  not_the_manager: { status: 403, meaning: 'Only the community’s manager may do this' },
  feed_in_above_grid_price: { status: 422, meaning: 'The feed-in price is above the grid price' },
  peer_price_out_of_range: { status: 422, meaning: 'The peer price is not between the feed-in and grid prices' },
  reversed_validity: { status: 400, meaning: 'valid_to is before valid_from' },
  same_point_twice: { status: 400, meaning: 'The export point is the import point' },
  import_point_not_consumption: { status: 422, meaning: 'With an export point, the import point is consumption' },
  export_point_not_production: { status: 422, meaning: 'The export point is a production point' },
  storage_point_not_supported: { status: 422, meaning: 'Storage metering points cannot be community members yet' },
  metering_point_in_community: {
    status: 409,
    meaning: 'A metering point of the member belongs to another membership in that period',
  },
  interval_already_cleared: { status: 409, meaning: 'The change reaches into intervals already cleared' },
  community_full: {
    status: 409,
    meaning: 'The community has as many members as one may have (500,000, ended memberships included)',
  },
  member_has_cleared_intervals: { status: 409, meaning: 'The member took part in cleared intervals, so it stays' },
  not_on_interval: { status: 400, meaning: 'A time does not start one of the community’s intervals' },
  interval_not_closed: { status: 422, meaning: 'The period reaches past the last closed interval' },
  duplicate_match: { status: 400, meaning: 'A match id is listed twice' },
  invalid_state_transition: { status: 409, meaning: 'A match’s payment state only moves forward' },

  // The forecasting market.
  market_resource_not_found: { status: 404, meaning: 'No such market resource, or not yours' },
  market_session_not_found: { status: 404, meaning: 'No such market session' },
  market_bid_not_found: { status: 404, meaning: 'No such bid, or not yours' },
  market_wallet_not_found: { status: 404, meaning: 'The market has no wallet yet' },
  market_payout_not_found: { status: 404, meaning: 'No such payout' },
  payout_unconfirmed: { status: 409, meaning: 'The payout is not confirmed on the chain yet' },
  features_not_forecast: { status: 400, meaning: 'Only a measurements resource can be forecast' },
  resource_name_taken: { status: 409, meaning: 'You already have a resource of this name and type' },
  resource_point_not_production: { status: 422, meaning: 'A resource is bound to a production metering point' },
  off_interval_grid: { status: 400, meaning: 'A value’s time does not start an interval of its length in UTC' },
  duplicate_datetime: { status: 400, meaning: 'A time appears twice in one upload' },
  resource_bound_to_point: { status: 409, meaning: 'The resource takes its series from a metering point' },
  invalid_wallet_address: { status: 400, meaning: 'Not an EVM address (0x and 40 hex digits, EIP-55 if mixed case)' },
  wallet_exists: { status: 409, meaning: 'You already have a wallet address; replace it instead' },
  no_wallet: { status: 409, meaning: 'No wallet address is registered yet' },
  unproven_wallet: { status: 409, meaning: 'The wallet was typed in, not proven by a signature, so it backs no bid' },
  wallet_address_taken: { status: 409, meaning: 'Another user registered this wallet address' },
  no_live_challenge: { status: 409, meaning: 'No unexpired, unused wallet challenge to answer' },
  wallet_signature_mismatch: { status: 422, meaning: 'The signature is not the wallet’s over a live challenge' },
  market_wallet_exists: { status: 409, meaning: 'The market already has a wallet; replace it instead' },
  no_market_wallet: { status: 409, meaning: 'The market has no wallet yet to be paid to' },
  market_wallet_not_key: { status: 422, meaning: 'The market wallet must be the address of its payout key' },
  invalid_price_grid: { status: 400, meaning: 'The price grid is empty or the price lies outside it' },
  unfinished_session: { status: 409, meaning: 'A session is not finished yet; the next is staged after it' },
  invalid_session_transition: { status: 409, meaning: 'A session moves staged → open → closed → running → finished' },
  session_not_staged: { status: 409, meaning: 'Only a staged session takes new price weights' },
  invalid_price_weights: { status: 400, meaning: 'A session takes one finite weight above 0 per grid price' },
  session_already_open: { status: 409, meaning: 'Another session is open; one is open at a time' },
  session_not_open: { status: 409, meaning: 'The session is not open for bids' },
  payment_below_minimum: { status: 422, meaning: 'max_payment is below the market’s minimum' },
  invalid_bid_price: { status: 400, meaning: 'bid_price must be above 0' },
  resource_not_forecast: { status: 422, meaning: 'Bids are for one’s own measurements resource to forecast' },
  bid_exists: { status: 409, meaning: 'You already bid in this session for this resource' },
  tx_hash_required: { status: 400, meaning: 'On a chain, a bid’s payment is named by its transaction hash' },
  payment_reference_recorded: { status: 409, meaning: 'The bid already names its payment' },
  payment_reference_used: { status: 409, meaning: 'The transaction already pays another bid' },
  bid_already_confirmed: { status: 409, meaning: 'The bid’s payment is already confirmed' },
  no_payment_reference: { status: 409, meaning: 'The bid names no payment yet' },
  payment_refused: {
    status: 409,
    meaning:
      'The payment does not hold: wrong recipient, token, sender or amount, reverted, unconfirmed, ' +
      'unknown; or (internal rail) the free balance is short',
  },
  rail_has_no_payments: { status: 409, meaning: 'Without a chain there is no payment to check' },
  rail_has_no_credits: { status: 409, meaning: 'On a chain, balances grow only by payments checked on it' },
  invalid_amount: { status: 400, meaning: 'An amount must be above 0' },
  notification_not_found: { status: 404, meaning: 'No notification switch of the caller with this id' },
  notification_type_not_found: { status: 404, meaning: 'No notification kind with this id' },
  similar_notification_type: { status: 400, meaning: 'A notification kind with a similar name exists' },

  // Publications.
  publication_not_found: { status: 404, meaning: 'No such publication' },
  ledger_block_not_found: { status: 404, meaning: 'No block is sealed at this height' },
  storage_not_found: { status: 404, meaning: 'No active storage of this type (GET /uploader/ lists them)' },
  publisher_not_configured: {
    status: 409,
    meaning: 'Tally has no publisher wallet to sign and pay uploads with (TALLY_PUBLISHER_PRIVATE_KEY)',
  },
  storage_not_payable: {
    status: 409,
    meaning: 'The storage takes payment only on a chain the publisher wallet is not configured for',
  },
  nothing_to_publish: { status: 409, meaning: 'The session made no forecasts (yet) to publish' },
  document_too_large: {
    status: 413,
    meaning: 'The document is larger than one upload may carry (TALLY_UPLOADER_MAX_BYTES)',
  },
  storage_provider_failed: {
    status: 502,
    meaning:
      'The storage provider did not answer a quote as its API says (down, too slow, or malformed); nothing was recorded',
  },

  // Operations.
  not_ready: {
    status: 503,
    meaning:
      'This process cannot serve now: its database does not answer, a migration is not applied, or its job runner stopped',
  },

  // Ledger and storage.
  not_sealed: { status: 409, meaning: 'Nothing is sealed and signed yet, or not this event' },
  database_in_use: { status: 409, meaning: 'Another process holds the embedded database (CLI and start-up)' },

  // Storage records and SD-GCs (the storage module).
  scr_not_found: { status: 404, meaning: 'No storage charge record with this id that the caller may see' },
  sdr_not_found: { status: 404, meaning: 'No storage discharge record with this id that the caller may see' },
  not_a_storage_device: { status: 422, meaning: 'Storage records are kept for storage devices only' },
  interval_across_hours: { status: 400, meaning: 'A charge or discharge interval lies within one UTC hour' },
  already_recorded: {
    status: 409,
    meaning: 'The device already has a live record of this interval from the same validator',
  },
  record_withdrawn: { status: 409, meaning: 'The storage record was withdrawn; nothing more is done with it' },
  charge_not_of_its_hour: {
    status: 422,
    meaning: 'A charge record is backed only by certificates produced in its own hour',
  },
  over_charge: { status: 422, meaning: 'The certificates hold more Wh than the charge record has left to back' },
  imported_not_chargeable: {
    status: 422,
    meaning: 'An imported certificate does not back a storage charge: an SD-GC names a Tally production device',
  },
  no_efficiency: {
    status: 422,
    meaning: 'No charge was recorded in the efficiency interval, so no round-trip efficiency can be measured',
  },
  efficiency_above_measured: {
    status: 422,
    meaning: 'A declared efficiency factor is above the one measured (discharge ÷ charge over the interval)',
  },
  nothing_to_issue: { status: 409, meaning: 'The discharge record has no allocated Wh left without SD-GCs' },
  allocation_methodology_fixed: {
    status: 422,
    meaning: 'A discharge record’s allocation order (FIFO or LIFO) is fixed when it is recorded',
  },
  allocation_too_large: {
    status: 422,
    meaning: 'A declared allocation is more than the charge record has free or the discharge record has left',
  },
  backs_live_certificates: {
    status: 409,
    meaning: 'The storage record backs SD-GCs that are not withdrawn; withdraw them first',
  },
  // Organisations and deactivated users (decision 0014).
  organisation_not_found: {
    status: 404,
    meaning: 'No organisation with this id that the caller may see (a deleted one is gone)',
  },
  not_in_organisation: {
    status: 403,
    meaning: 'A user creates accounts only in its own organisation (an admin in any)',
  },
  organisation_has_accounts: {
    status: 409,
    meaning: 'The organisation owns open accounts; close them before deleting it',
  },
  organisation_has_users: {
    status: 409,
    meaning: 'Users belong to the organisation; move or deactivate them before deleting it',
  },
  user_deactivated: { status: 409, meaning: 'The user is deactivated: it is kept for the ledger and changes no more' },
  self_deactivation: { status: 409, meaning: 'An admin does not deactivate itself' },
} as const satisfies Record<string, ProblemEntry>;

export type ProblemCode = keyof typeof PROBLEM_CODES;
export type ProblemStatus = ProblemEntry['status'];

/** The codes answered with HTTP status `S`. */
export type CodeWithStatus<S extends ProblemStatus> = {
  [C in ProblemCode]: (typeof PROBLEM_CODES)[C]['status'] extends S ? C : never;
}[ProblemCode];

/** What a 404 code names: `account` for `account_not_found`. */
export type Missing =
  CodeWithStatus<404> extends infer C
    ? C extends `${infer What}_not_found`
      ? What extends 'route'
        ? never
        : What
      : never
    : never;

export const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(PROBLEM_CODES, code);
