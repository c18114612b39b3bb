import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { DateOnly, Id, IdParams, Page, PageQuery, PointId, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { listCertificateMoves } from './certificates.ts';
import { MECHANISMS } from './clearing.ts';
import { MAX_MEMBER_WH, MAX_PRICE } from './limits.ts';
import { createCommunity, getCommunity, listCommunities, updateCommunity } from './communities.ts';
import { listIntervals } from './intervals.ts';
import { clearOnDemand } from './jobs.ts';
import { addMember, listMembers, removeMember, updateMember } from './members.ts';
import { listMatches, matchesCsv, monthlyStatement, statementCsv, updateMatchStates } from './settlement.ts';
import { MATCH_STATES } from './tables.ts';

const tags = ['communities'];
const strict = { additionalProperties: false } as const;
const Price = (description: string) =>
  Type.Number({
    minimum: 0,
    maximum: MAX_PRICE,
    description: `${description}, in the community's currency per kWh, at most ${MAX_PRICE}`,
  });
const Money = (description: string) => Type.Number({ description: `${description}, in the community's currency` });
const Mechanism = Type.Union(
  MECHANISMS.map((m) => Type.Literal(m)),
  {
    description:
      "`mmr`: peers trade at the mid-market rate, halfway between grid and feed-in. `sdr`: the supply–demand-ratio price (Liu et al. 2017). `bill_sharing`: buyers share the grid bill, sellers the feed-in revenue. `static_keys`: surplus shared by each buyer's fixed share, unused shares passed on. `dynamic_keys`: surplus shared in proportion to each buyer's consumption. Every mechanism pairs sellers with buyers pro rata in volume.",
  },
);
const MatchState = Type.Union(
  MATCH_STATES.map((s) => Type.Literal(s)),
  { description: 'created → sent → paid or not_paid; error marks a failed send' },
);

const Terms = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the community' }),
  mechanism: Mechanism,
  grid_price: Price('Retail price of energy from the grid'),
  feed_in_price: Price('Price paid for energy fed into the grid; at most the grid price'),
  peer_price: Type.Union([Price('Price between members'), Type.Null()], {
    description:
      'Price between members under the allocation-key mechanisms, currency per kWh, between feed-in and grid; null: halfway between them',
  }),
  move_certificates: Type.Boolean({
    description:
      "Whether matched Wh move as Granular Certificates from the seller's account to the buyer's and are claimed for the buyer",
  }),
  public: Type.Boolean({
    description: 'Whether anyone may read the community, its intervals and statements without signing in',
  }),
  data_wait_minutes: Type.Integer({
    minimum: 0,
    maximum: 525_600,
    description:
      "How long the clearing job waits for a member's late readings before clearing without them (default 2880, two days)",
  }),
};
const Community = Type.Object({
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
});
const Member = Type.Object({
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
});
const Share = Type.Number({
  minimum: 0,
  maximum: 1,
  description: 'Static allocation key, a fraction (0.25 = 25 %); shares are compared among the buyers of each interval',
});
const CommunityMemberParams = Type.Object({ id: Id('Community'), member_id: Id('Member') }, strict);
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
const Match = Type.Object({ ...MatchFields, interval_start: Timestamp('Interval the match belongs to') });
const Flows = Type.Object({
  member_id: Id('Member'),
  from_peers_wh: Type.Integer({ description: 'Wh bought from other members' }),
  to_peers_wh: Type.Integer({ description: 'Wh sold to other members' }),
  from_grid_wh: Type.Integer({ description: 'Wh imported from the grid' }),
  to_grid_wh: Type.Integer({ description: 'Wh exported to the grid' }),
  cost: Money('Paid'),
  revenue: Money('Earned'),
});
const Interval = Type.Object({
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
    description: `Members whose import or export in the interval was beyond ${MAX_MEMBER_WH} Wh, more than a community member can move: they took no part`,
  }),
  matches: Type.Array(Type.Object(MatchFields), {
    description: 'Who delivered to whom; the grid is a party of its own',
  }),
  members: Type.Array(Flows, { description: "Each member's energy from and to peers and the grid, and its money" }),
});
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
const Statement = Type.Object({
  community_id: Id('Community'),
  month: Type.String({ description: "YYYY-MM, in the community's time zone" }),
  currency: Type.String({ description: 'ISO 4217' }),
  period_start: Timestamp('Local month start'),
  period_end: Timestamp('Local month end (exclusive)'),
  members: Type.Array(
    Type.Object({ member_id: Id('Member'), name: Type.String({ description: 'Member name' }), ...StatementLineFields }),
  ),
  totals: Type.Object({
    ...StatementLineFields,
    grid_bill: Money(
      "What the members shown owe the grid: their grid imports less their exports; for the whole community it equals the members' net cost",
    ),
  }),
});
const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'Calendar month, YYYY-MM' });
const Period = { from: Timestamp('From (inclusive)'), to: Timestamp('To (exclusive)') };
const MemberFilter = Type.Optional(Id('Only this member'));

export async function communityRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;

  app.post(
    '/api/communities',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Create an energy community',
        description: 'The caller becomes its manager.',
        body: Type.Object(
          {
            name: Terms.name,
            interval_minutes: Type.Union([Type.Literal(15), Type.Literal(30), Type.Literal(60)], {
              description: 'Clearing interval, minutes',
            }),
            time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Lisbon' }),
            mechanism: Mechanism,
            grid_price: Terms.grid_price,
            feed_in_price: Terms.feed_in_price,
            currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
            move_certificates: Terms.move_certificates,
            peer_price: Type.Optional(Terms.peer_price),
            public: Type.Optional(Terms.public),
            data_wait_minutes: Type.Optional(Terms.data_wait_minutes),
          },
          strict,
        ),
        response: withProblems({ 201: Community }, [400, 401, 422]),
      },
    },
    async (request, reply) => reply.status(201).send(await createCommunity(db, caller(request), request.body)),
  );

  app.get(
    '/api/communities',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Communities the caller manages, belongs to, or that publish',
        response: withProblems({ 200: Type.Object({ items: Type.Array(Community) }) }, [401]),
      },
    },
    async (request) => ({ items: await listCommunities(db, caller(request)) }),
  );

  app.get(
    '/api/communities/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One community',
        description: 'Anyone may read a public community; otherwise its manager, its members, admins and auditors.',
        params: IdParams,
        response: withProblems({ 200: Community }, [404]),
      },
    },
    async (request) => getCommunity(db, request.principal, request.params.id),
  );

  app.patch(
    '/api/communities/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "Change a community's terms (manager)",
        description: 'Applies to intervals cleared from now on; cleared intervals keep the terms they cleared with.',
        params: IdParams,
        body: Type.Object(
          Object.fromEntries(Object.entries(Terms).map(([k, v]) => [k, Type.Optional(v)])) as {
            [K in keyof typeof Terms]: ReturnType<typeof Type.Optional<(typeof Terms)[K]>>;
          },
          { ...strict, minProperties: 1 },
        ),
        response: withProblems({ 200: Community }),
      },
    },
    async (request) => updateCommunity(db, caller(request), request.params.id, request.body, ctx.clock.now()),
  );

  app.get(
    '/api/communities/:id/members',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Members',
        description: "A member's own users see only their members.",
        params: IdParams,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Member) }) }, [404]),
      },
    },
    async (request) => ({ items: await listMembers(db, request.principal, request.params.id) }),
  );

  app.post(
    '/api/communities/:id/members',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Add a member (manager)',
        description:
          "A member is a metering point, or a consumption point with a separate production point (`export_metering_point_id`). The manager must be able to act for the points' accounts (the owners' consent: they make the manager a member of the account). A point belongs to at most one community at any time. Clearing never revisits an interval already cleared.",
        params: IdParams,
        body: Type.Object(
          {
            metering_point_id: PointId,
            export_metering_point_id: Type.Optional(PointId),
            name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name' }),
            share: Type.Optional(Share),
            valid_from: Type.Optional(DateOnly('First local day of membership; default today')),
            valid_to: Type.Optional(DateOnly('Last local day of membership; default open-ended')),
          },
          strict,
        ),
        response: withProblems({ 201: Member }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addMember(db, caller(request), request.params.id, request.body, ctx.clock.now())),
  );

  app.patch(
    '/api/communities/:id/members/:member_id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Rename, re-key or end a membership (manager)',
        params: CommunityMemberParams,
        body: Type.Object(
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
          { ...strict, minProperties: 1 },
        ),
        response: withProblems({ 200: Member }),
      },
    },
    async (request) =>
      updateMember(db, caller(request), request.params.id, request.params.member_id, request.body, ctx.clock.now()),
  );

  app.delete(
    '/api/communities/:id/members/:member_id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Remove a member added by mistake (manager)',
        description:
          'Refused once the member has taken part in a cleared interval: end the membership with `valid_to` instead.',
        params: CommunityMemberParams,
        response: withProblems({ 200: Member }, [401, 403, 404, 409]),
      },
    },
    async (request) => removeMember(db, caller(request), request.params.id, request.params.member_id),
  );

  app.post(
    '/api/communities/:id/clear',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Clear a range of closed intervals now (manager)',
        description:
          'Clears the intervals of [from, to) after the last cleared one, in order, with the readings there are; clearing only moves forward, so intervals already cleared, and uncleared ones before the last cleared, are left as they are. The job does the same continuously from the last cleared interval, waiting `data_wait_minutes` for late readings.',
        params: IdParams,
        body: Type.Object(
          {
            from: Timestamp('Start of the first interval'),
            to: Timestamp("End of the last interval; not after the current interval's start"),
          },
          strict,
        ),
        response: withProblems({
          200: Type.Object({ intervals_cleared: Type.Integer({ description: 'Intervals cleared by this request' }) }),
        }),
      },
    },
    async (request) =>
      clearOnDemand(
        db,
        caller(request),
        request.params.id,
        new Date(request.body.from),
        new Date(request.body.to),
        ctx.clock.now(),
      ),
  );

  app.get(
    '/api/communities/:id/intervals',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Cleared intervals with their matches, member flows and prices',
        params: IdParams,
        querystring: Type.Object(
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
                description:
                  'Intervals per page, at most 96 (default 24); each carries all its matches, so filter by member_id in a large community',
              }),
            ),
          },
          strict,
        ),
        response: withProblems({ 200: Page(Interval, 'Cleared intervals in time order') }, [400, 404]),
      },
    },
    async (request) =>
      listIntervals(
        db,
        request.principal,
        request.params.id,
        { from: new Date(request.query.from), to: new Date(request.query.to), member_id: request.query.member_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/communities/:id/statements',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Monthly statement per member',
        params: IdParams,
        querystring: Type.Object({ month: Month, member_id: MemberFilter }, strict),
        response: withProblems({ 200: Statement }, [400, 404]),
      },
    },
    async (request) =>
      monthlyStatement(db, request.principal, request.params.id, request.query.month, request.query.member_id),
  );

  app.get(
    '/api/communities/:id/statements.csv',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Monthly statement as CSV',
        params: IdParams,
        querystring: Type.Object({ month: Month, member_id: MemberFilter }, strict),
        response: withProblems({ 200: Type.String({ description: 'text/csv, one row per member' }) }, [400, 404]),
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv')
        .send(
          statementCsv(
            await monthlyStatement(
              db,
              request.principal,
              request.params.id,
              request.query.month,
              request.query.member_id,
            ),
          ),
        ),
  );

  app.get(
    '/api/communities/:id/certificate-moves',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "Certificates moved for members' trades",
        description:
          "With `move_certificates`, each fully cleared hour moves the Wh each seller sold each buyer from the certificates of the seller's device for that hour to the buyer's account, cancelled for and claimed by the buyer. `moved_wh` is less than `matched_wh` when the seller had fewer certificates for the hour (none issued yet, or none held).",
        params: IdParams,
        querystring: Type.Object({ ...Period, member_id: MemberFilter }, strict),
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  hour_start: Timestamp('Hour of production and consumption'),
                  seller: Id('Selling member'),
                  buyer: Id('Buying member'),
                  matched_wh: Type.Integer({ description: 'Wh the seller sold the buyer in the hour' }),
                  moved_wh: Type.Integer({ description: 'Wh of certificates moved and claimed for the buyer' }),
                  bundle_ids: Type.Array(Id('Bundle'), {
                    description: "The claimed bundles, now in the buyer's account",
                  }),
                }),
              ),
            }),
          },
          [400, 404],
        ),
      },
    },
    async (request) => ({
      items: await listCertificateMoves(db, request.principal, request.params.id, {
        from: new Date(request.query.from),
        to: new Date(request.query.to),
        member_id: request.query.member_id,
      }),
    }),
  );

  const MatchQuery = Type.Object(
    { ...Period, member_id: MemberFilter, state: Type.Optional(MatchState), ...PageQuery },
    strict,
  );
  app.get(
    '/api/communities/:id/matches',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Matches, with their payment states',
        params: IdParams,
        querystring: MatchQuery,
        response: withProblems({ 200: Page(Match, 'Matches in id order') }, [400, 404]),
      },
    },
    async (request) => {
      const { items, next_cursor } = await listMatches(
        db,
        request.principal,
        request.params.id,
        { ...request.query, from: new Date(request.query.from), to: new Date(request.query.to) },
        pageRequest(request.query, 'querystring'),
      );
      return { items, next_cursor };
    },
  );

  app.get(
    '/api/communities/:id/matches.csv',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One page of matches as CSV',
        description: "The same page as `GET …/matches`; the next page's cursor is in the `Next-Cursor` header.",
        params: IdParams,
        querystring: MatchQuery,
        response: withProblems({ 200: Type.String({ description: 'text/csv' }) }, [400, 404]),
      },
    },
    async (request, reply) => {
      const page = await listMatches(
        db,
        request.principal,
        request.params.id,
        { ...request.query, from: new Date(request.query.from), to: new Date(request.query.to) },
        pageRequest(request.query, 'querystring'),
      );
      if (page.next_cursor) reply.header('next-cursor', page.next_cursor);
      return reply.type('text/csv').send(matchesCsv(page.items, page.currency));
    },
  );

  app.patch(
    '/api/communities/:id/matches',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Set the payment state of matches (manager)',
        description:
          'All or nothing. Allowed: created → sent or error; sent → paid, not_paid or error; not_paid → paid; error → sent.',
        params: IdParams,
        body: Type.Object(
          {
            match_ids: Type.Array(Id('Match'), { minItems: 1, maxItems: 10_000, description: 'Matches to move' }),
            state: MatchState,
          },
          strict,
        ),
        response: withProblems({ 200: Type.Object({ items: Type.Array(Match) }) }),
      },
    },
    async (request) => ({
      items: await updateMatchStates(
        db,
        caller(request),
        request.params.id,
        request.body.match_ids,
        request.body.state,
        ctx.clock.now(),
      ),
    }),
  );
}
