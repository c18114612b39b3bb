// Request and answer schemas of the community routes: the routes validate and document with them,
// and the module's files take and return their static types, so the two cannot drift.
import { Type } from 'typebox';
import { component, DateOnly, Id, OneOf, PageQuery, PointId, strict, Timestamp } from '../platform/http/schemas.ts';
import * as example from './examples.ts';
import { MECHANISMS } from './clearing.ts';
import { MAX_MEMBER_WH, MAX_PRICE } from './limits.ts';
import { CURRENCY_PATTERN, INTERVAL_MINUTES, type IntervalMinutes, MATCH_STATES } from './tables.ts';

const Price = (description: string) =>
  Type.Number({
    minimum: 0,
    maximum: MAX_PRICE,
    description: `${description}, in the community's currency per kWh, at most ${MAX_PRICE}`,
  });
const Money = (description: string) => Type.Number({ description: `${description}, in the community's currency` });
export const Mechanism = component(
  'Mechanism',
  OneOf(MECHANISMS, {
    description:
      '`mmr`: peers trade at the mid-market rate, halfway between grid and feed-in. `sdr`: ' +
      'the supply–demand-ratio price (Liu et al. 2017). `bill_sharing`: buyers share the grid ' +
      "bill, sellers the feed-in revenue. `static_keys`: surplus shared by each buyer's fixed " +
      'share, unused shares passed on. `dynamic_keys`: surplus shared in proportion to each ' +
      "buyer's consumption. Every mechanism pairs sellers with buyers pro rata in volume.",
  }),
);
/**
 * The mechanism in a request body, which the document writes out in full: its values, and a pointer
 * to their meaning.
 */
const MechanismInput = OneOf(MECHANISMS, {
  description:
    'How peers trade: mmr, sdr, bill_sharing, static_keys or dynamic_keys (the Mechanism schema says how each prices)',
});
export const MatchState = component(
  'MatchState',
  OneOf(MATCH_STATES, { description: 'created → sent → paid or not_paid; error marks a failed send' }),
);

const Terms = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the community' }),
  mechanism: Mechanism,
  grid_price: Price('Retail price of energy from the grid'),
  feed_in_price: Price('Price paid for energy fed into the grid; at most the grid price'),
  peer_price: Type.Union([Price('Price between members'), Type.Null()], {
    description:
      'Price between members under the allocation-key mechanisms, ' +
      'currency per kWh, between feed-in and grid; null: halfway between them',
  }),
  move_certificates: Type.Boolean({
    description:
      'Whether matched Wh move as Granular Certificates from the ' +
      "seller's account to the buyer's and are claimed for the buyer",
  }),
  public: Type.Boolean({
    description: 'Whether anyone may read the community, its intervals and statements without signing in',
  }),
  data_wait_minutes: Type.Integer({
    minimum: 0,
    maximum: 525_600,
    description:
      "How long the clearing job waits for a member's late readings " +
      'before clearing without them (default 2880, two days)',
  }),
};
export const Community = component(
  'Community',
  Type.Object(
    {
      id: Id('Community'),
      ...Terms,
      interval_minutes: Type.Integer({ description: 'Length of a clearing interval: 15, 30 or 60 minutes' }),
      time_zone: Type.String({
        description: 'IANA time zone of the community: membership dates and statement months are local',
      }),
      currency: Type.String({ description: 'ISO 4217 code' }),
      manager_id: Id('The user who administers the community'),
      created_at: Timestamp('Created'),
      updated_at: Timestamp('Last change'),
    },
    { description: 'An energy community', examples: [example.community] },
  ),
);
export const NewCommunity = Type.Object(
  {
    name: Terms.name,
    // TypeBox infers nothing from a union built by map: the static type is said here.
    interval_minutes: Type.Unsafe<IntervalMinutes>(
      Type.Union(
        INTERVAL_MINUTES.map((m) => Type.Literal(m)),
        { description: 'Clearing interval, minutes' },
      ),
    ),
    time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Lisbon' }),
    mechanism: MechanismInput,
    grid_price: Terms.grid_price,
    feed_in_price: Terms.feed_in_price,
    currency: Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217 code, e.g. EUR' }),
    move_certificates: Terms.move_certificates,
    peer_price: Type.Optional(Terms.peer_price),
    public: Type.Optional(Terms.public),
    data_wait_minutes: Type.Optional(Terms.data_wait_minutes),
  },
  { ...strict, examples: [example.newCommunity] },
);
/** Any of the terms; at least one. */
export const CommunityChange = Type.Object(
  Object.fromEntries(
    Object.entries({ ...Terms, mechanism: MechanismInput }).map(([k, v]) => [k, Type.Optional(v)]),
  ) as {
    [K in keyof typeof Terms]: ReturnType<typeof Type.Optional<(typeof Terms)[K]>>;
  },
  { ...strict, minProperties: 1, examples: [{ mechanism: 'sdr', public: true }] },
);

export const Member = component(
  'CommunityMember',
  Type.Object(
    {
      id: Id('Member'),
      community_id: Id('Community'),
      name: Type.String({ description: 'Display name' }),
      metering_point_id: PointId,
      export_metering_point_id: Type.Union([PointId, Type.Null()], {
        description: 'The export point of an import/export pair',
      }),
      share: Type.Union([Type.Number({ description: 'Static allocation key, 0 to 1' }), Type.Null()]),
      valid_from: DateOnly('First local day of membership'),
      valid_to: Type.Union([DateOnly('Last local day of membership'), Type.Null()]),
      created_at: Timestamp('Added'),
      updated_at: Timestamp('Last change'),
    },
    { description: 'A member of an energy community', examples: [example.member] },
  ),
);
const Share = Type.Number({
  minimum: 0,
  maximum: 1,
  description: 'Static allocation key, a fraction (0.25 = 25 %); shares are compared among the buyers of each interval',
});
export const NewMember = Type.Object(
  {
    metering_point_id: PointId,
    export_metering_point_id: Type.Optional(PointId),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name' }),
    share: Type.Optional(Share),
    valid_from: Type.Optional(DateOnly('First local day of membership; default today')),
    valid_to: Type.Optional(DateOnly('Last local day of membership; default open-ended')),
  },
  { ...strict, examples: [{ metering_point_id: 'FLAT-1', name: 'Flat-1', valid_from: '2026-06-01' }] },
);
export const MemberChange = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Display name' })),
    share: Type.Optional(
      Type.Union([Share, Type.Null()], { description: 'Static allocation key, 0 to 1; null removes it' }),
    ),
    valid_to: Type.Optional(
      Type.Union([DateOnly('Last local day of membership'), Type.Null()], {
        description: 'Last local day; null: open-ended',
      }),
    ),
  },
  { ...strict, minProperties: 1, examples: [{ valid_to: '2026-12-31' }] },
);
export const CommunityMemberParams = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Community', examples: [1] }),
    member_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Member', examples: [2] }),
  },
  strict,
);
/** A list's query with nothing but its page. */
export const ListQuery = Type.Object(PageQuery, strict);

export const ClearRequest = Type.Object(
  {
    from: Timestamp('Start of the first interval'),
    to: Timestamp("End of the last interval; not after the current interval's start"),
  },
  { ...strict, examples: [{ from: '2026-06-01T12:00:00Z', to: '2026-06-01T12:15:00Z' }] },
);
export const Cleared = Type.Object(
  { intervals_cleared: Type.Integer({ description: 'Intervals cleared by this request' }) },
  { description: 'How many intervals this request cleared', examples: [{ intervals_cleared: 1 }] },
);

const Party = (who: string) =>
  Type.Union([Id(`${who} member`), Type.Null()], { description: `${who} member, or null for the public grid` });
const MatchFields = {
  id: Id('Match'),
  buyer: Party('Buying'),
  seller: Party('Selling'),
  wh: Type.Integer({ description: 'Energy delivered, Wh' }),
  price: Type.Number({ description: 'Price, currency per kWh' }),
  amount: Money('What the buyer pays the seller'),
  state: MatchState,
};
export const Match = component(
  'CommunityMatch',
  Type.Object(
    { ...MatchFields, interval_start: Timestamp('Interval the match belongs to') },
    { description: 'Energy one party delivered to another in an interval', examples: [example.match] },
  ),
);
/** A match inside its interval, which says when. */
const IntervalMatch = Type.Object(MatchFields);
export const Flows = Type.Object({
  member_id: Id('Member'),
  from_peers_wh: Type.Integer({ description: 'Wh bought from other members' }),
  to_peers_wh: Type.Integer({ description: 'Wh sold to other members' }),
  from_grid_wh: Type.Integer({ description: 'Wh imported from the grid' }),
  to_grid_wh: Type.Integer({ description: 'Wh exported to the grid' }),
  cost: Money('Paid'),
  revenue: Money('Earned'),
});
export const Interval = component(
  'CommunityInterval',
  Type.Object(
    {
      interval_start: Timestamp('Start (inclusive)'),
      interval_end: Timestamp('End (exclusive)'),
      mechanism: Mechanism,
      grid_price: Price('Grid price in force'),
      feed_in_price: Price('Feed-in price in force'),
      peer_price: Type.Number({ description: 'Price between members in this interval, currency per kWh' }),
      buy_price: Type.Union([Type.Number(), Type.Null()], {
        description: 'Effective price of a Wh of deficit (peers and grid together); null without buyers',
      }),
      sell_price: Type.Union([Type.Number(), Type.Null()], {
        description: 'Effective price earned for a Wh of surplus; null without sellers',
      }),
      demand_wh: Type.Integer({ description: 'Total deficit of the members taking part' }),
      supply_wh: Type.Integer({ description: 'Total surplus of the members taking part' }),
      peer_wh: Type.Integer({ description: 'Wh traded between members' }),
      grid_import_wh: Type.Integer({ description: 'Wh the community took from the grid' }),
      grid_export_wh: Type.Integer({ description: 'Wh the community gave to the grid' }),
      grid_only_member_ids: Type.Array(Id('Member'), {
        description: 'Members whose energy went straight to the grid: their previous register reading was missing',
      }),
      missing_member_ids: Type.Array(Id('Member'), {
        description: 'Members without readings for the interval, who took no part',
      }),
      implausible_member_ids: Type.Array(Id('Member'), {
        description:
          `Members whose import or export in the interval was beyond ${MAX_MEMBER_WH} ` +
          'Wh, more than a community member can move: they took no part',
      }),
      matches: Type.Array(IntervalMatch, {
        description: 'Who delivered to whom; the grid is a party of its own',
      }),
      members: Type.Array(Flows, { description: "Each member's energy from and to peers and the grid, and its money" }),
    },
    { description: 'A cleared interval', examples: [example.interval] },
  ),
);

const StatementLineFields = {
  from_peers_wh: Type.Integer({ description: 'Wh bought from other members' }),
  to_peers_wh: Type.Integer({ description: 'Wh sold to other members' }),
  from_grid_wh: Type.Integer({ description: 'Wh imported from the grid' }),
  to_grid_wh: Type.Integer({ description: 'Wh exported to the grid' }),
  cost: Money('Paid for energy'),
  revenue: Money('Earned for energy'),
  net_cost: Money('Cost less revenue'),
  grid_only_cost: Money('What the same energy would have cost with the grid alone'),
  savings: Money('Grid-only cost less net cost'),
};
export const StatementLine = Type.Object({
  member_id: Id('Member'),
  name: Type.String({ description: 'Member name' }),
  ...StatementLineFields,
});
export const Statement = component(
  'CommunityStatement',
  Type.Object(
    {
      community_id: Id('Community'),
      month: Type.String({ description: "YYYY-MM, in the community's time zone" }),
      currency: Type.String({ description: 'ISO 4217' }),
      period_start: Timestamp('Local month start'),
      period_end: Timestamp('Local month end (exclusive)'),
      members: Type.Array(StatementLine),
      totals: Type.Object({
        ...StatementLineFields,
        grid_bill: Money(
          'What the members shown owe the grid: their grid imports less their ' +
            "exports; for the whole community it equals the members' net cost",
        ),
      }),
    },
    { description: 'A monthly statement', examples: [example.statement] },
  ),
);
export const StatementCsv = Type.String({
  description: 'One row per member',
  examples: [
    'member_id,name,from_peers_wh,to_peers_wh,from_grid_wh,to_grid_wh,' +
      'cost,revenue,net_cost,grid_only_cost,savings\n' +
      '2,Flat-1,400,0,200,0,0.07096,0,0.07096,0.09744,0.02648\n',
  ],
});

export const CertificateMove = component(
  'CertificateMove',
  Type.Object(
    {
      hour_start: Timestamp('Hour of production and consumption'),
      seller: Id('Selling member'),
      buyer: Id('Buying member'),
      matched_wh: Type.Integer({ description: 'Wh the seller sold the buyer in the hour' }),
      moved_wh: Type.Integer({ description: 'Wh of certificates moved and claimed for the buyer' }),
      bundle_ids: Type.Array(Id('Bundle'), {
        description: "The claimed bundles, now in the buyer's account",
      }),
    },
    {
      description: 'A certificate move',
      examples: [
        {
          hour_start: '2026-06-01T12:00:00.000Z',
          seller: 1,
          buyer: 2,
          matched_wh: 400,
          moved_wh: 400,
          bundle_ids: [17],
        },
      ],
    },
  ),
);

const Month = Type.String({
  pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$',
  description: 'Calendar month, YYYY-MM',
  examples: ['2026-06'],
});
const Period = {
  from: Type.String({ format: 'date-time', description: 'From (inclusive)', examples: ['2026-06-01T12:00:00Z'] }),
  to: Type.String({ format: 'date-time', description: 'To (exclusive)', examples: ['2026-06-01T12:15:00Z'] }),
};
const MemberFilter = Type.Optional(
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only this member', examples: [2] }),
);
export const IntervalQuery = Type.Object(
  {
    ...Period,
    member_id: MemberFilter,
    cursor: PageQuery.cursor,
    // An interval of a large community holds a match per member or more: pages are a few hours.
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 96,
        default: 24,
        examples: [24],
        description:
          'Intervals per page, at most 96 (default 24); each carries ' +
          'all its matches, so filter by member_id in a large community',
      }),
    ),
  },
  strict,
);
export const StatementQuery = Type.Object({ month: Month, member_id: MemberFilter }, strict);
export const CertificateMoveQuery = Type.Object({ ...Period, member_id: MemberFilter, ...PageQuery }, strict);
export const MatchQuery = Type.Object(
  {
    ...Period,
    member_id: MemberFilter,
    state: Type.Optional(
      OneOf(MATCH_STATES, { description: 'Only matches in this payment state', examples: ['created'] }),
    ),
    ...PageQuery,
  },
  strict,
);
export const MatchesCsv = Type.String({
  description: 'One row per match',
  examples: [
    'id,interval_start,buyer,seller,wh,price,amount,currency,state\n' +
      '1,2026-06-01T12:00:00.000Z,2,1,400,0.0962,0.03848,EUR,created\n',
  ],
});
export const MatchStatesChange = Type.Object(
  {
    match_ids: Type.Array(Id('Match'), { minItems: 1, maxItems: 10_000, description: 'Matches to move' }),
    state: MatchState,
  },
  { ...strict, examples: [{ match_ids: [1, 2], state: 'sent' }] },
);
