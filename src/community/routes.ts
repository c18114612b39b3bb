import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { IdParams, Items, Page } from '../platform/http/schemas.ts';
import { ACTING_PROBLEMS } from '../accounts/index.ts';
import { pageRequest } from '../platform/pagination.ts';
import { listCertificateMoves } from './certificates.ts';
import { createCommunity, getCommunity, listCommunities, updateCommunity } from './communities.ts';
import { listIntervals } from './intervals.ts';
import { clearOnDemand } from './jobs.ts';
import { addMember, listMembers, removeMember, updateMember } from './members.ts';
import { listMatches, matchesCsv, monthlyStatement, statementCsv, updateMatchStates } from './settlement.ts';
import {
  CertificateMove,
  CertificateMoveQuery,
  ClearRequest,
  Cleared,
  Community,
  CommunityChange,
  CommunityMemberParams,
  Interval,
  IntervalQuery,
  ListQuery,
  Match,
  MatchesCsv,
  MatchQuery,
  MatchStatesChange,
  Member,
  MemberChange,
  NewCommunity,
  NewMember,
  Statement,
  StatementCsv,
  StatementQuery,
} from './schemas.ts';

const tags = ['communities'];
/** Who may not read a community gets 404, as for one that does not exist. */
const READING = ['community_not_found', 'member_not_found'] as const;
/** Changes are the manager's. */
const MANAGING = ['community_not_found', 'not_the_manager'] as const;
/** A period of a listing, bounded to a year. */
const PERIOD = ['reversed_period', 'period_too_long'] as const;
/** What checking a member's metering points may refuse. */
const MEMBER_POINTS = [
  'metering_point_not_found',
  'import_point_not_consumption',
  'same_point_twice',
  'export_point_not_production',
  'storage_point_not_supported',
  'metering_point_in_community',
  ...ACTING_PROBLEMS,
] as const;

export async function communityRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/communities',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createCommunity',
        tags,
        summary: 'Create an energy community',
        description: 'The caller becomes its manager.',
        body: NewCommunity,
        response: { 201: Community },
        problems: ['invalid_time_zone', 'feed_in_above_grid_price', 'peer_price_out_of_range'],
      },
    },
    async (request, reply) => reply.status(201).send(await createCommunity(request.db, caller(request), request.body)),
  );

  app.get(
    '/api/communities',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'listCommunities',
        tags,
        summary: 'Communities the caller manages, belongs to, or that publish',
        description: 'In id order. Without a token, the public communities.',
        querystring: ListQuery,
        response: { 200: Page(Community, 'Communities in id order') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => listCommunities(request.db, request.principal, pageRequest(request.query, 'querystring')),
  );

  app.get(
    '/api/communities/:id',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCommunity',
        tags,
        summary: 'One community',
        description: 'Anyone may read a public community; otherwise its manager, its members, admins and auditors.',
        params: IdParams,
        response: { 200: Community },
        problems: ['community_not_found'],
      },
    },
    async (request) => getCommunity(request.db, request.principal, request.params.id),
  );

  app.patch(
    '/api/communities/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "Change a community's terms (manager)",
        operationId: 'updateCommunity',
        description: 'Applies to intervals cleared from now on; cleared intervals keep the terms they cleared with.',
        params: IdParams,
        body: CommunityChange,
        response: { 200: Community },
        problems: [...MANAGING, 'feed_in_above_grid_price', 'peer_price_out_of_range'],
      },
    },
    async (request) => updateCommunity(request.db, caller(request), request.params.id, request.body, ctx.clock.now()),
  );

  app.get(
    '/api/communities/:id/members',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listCommunityMembers',
        tags,
        summary: 'Members',
        description: "A member's own users see only their members.",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(Member, 'Members in id order') },
        problems: ['community_not_found', 'invalid_cursor'],
      },
    },
    async (request) =>
      listMembers(request.db, request.principal, request.params.id, pageRequest(request.query, 'querystring')),
  );

  app.post(
    '/api/communities/:id/members',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Add a member (manager)',
        operationId: 'addCommunityMember',
        description:
          'A member is a metering point, or a consumption point with a separate production point ' +
          "(`export_metering_point_id`). The manager must be able to act for the points' accounts (the owners' " +
          'consent: they make the manager a member of the account). A point belongs to at most one community at any ' +
          'time. Clearing never revisits an interval already cleared.',
        params: IdParams,
        body: NewMember,
        response: { 201: Member },
        problems: [...MANAGING, ...MEMBER_POINTS, 'reversed_validity', 'date_out_of_range', 'interval_already_cleared'],
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await addMember(request.db, caller(request), request.params.id, request.body, ctx.clock.now())),
  );

  app.patch(
    '/api/communities/:id/members/:member_id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Rename, re-key or end a membership (manager)',
        operationId: 'updateCommunityMember',
        description: 'Ending a membership inside intervals already cleared is refused: cleared history stays.',
        params: CommunityMemberParams,
        body: MemberChange,
        response: { 200: Member },
        problems: [
          ...MANAGING,
          'member_not_found',
          'reversed_validity',
          'date_out_of_range',
          'interval_already_cleared',
          'metering_point_in_community',
        ],
      },
    },
    async (request) =>
      updateMember(
        request.db,
        caller(request),
        request.params.id,
        request.params.member_id,
        request.body,
        ctx.clock.now(),
      ),
  );

  app.delete(
    '/api/communities/:id/members/:member_id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Remove a member added by mistake (manager)',
        operationId: 'removeCommunityMember',
        description:
          'Refused once the member has taken part in a cleared interval: end the membership with `valid_to` instead.',
        params: CommunityMemberParams,
        response: { 200: Member },
        problems: [...MANAGING, 'member_not_found', 'member_has_cleared_intervals'],
      },
    },
    async (request) => removeMember(request.db, caller(request), request.params.id, request.params.member_id),
  );

  app.post(
    '/api/communities/:id/clear',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Clear a range of closed intervals now (manager)',
        operationId: 'clearCommunity',
        description:
          'Clears the intervals of [from, to) after the last cleared one, in order, with the readings there are; ' +
          'clearing only moves forward, so intervals already cleared, and uncleared ones before the last cleared, ' +
          'are left as they are. The job does the same continuously from the last cleared interval, ' +
          'waiting `data_wait_minutes` for late readings.',
        params: IdParams,
        body: ClearRequest,
        response: { 200: Cleared },
        problems: [...MANAGING, ...PERIOD, 'not_on_interval', 'interval_not_closed'],
      },
    },
    async (request) =>
      clearOnDemand(
        request.db,
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
      config: { readOnly: true, access: 'public' },
      schema: {
        tags,
        summary: 'Cleared intervals with their matches, member flows and prices',
        operationId: 'listCommunityIntervals',
        description: 'Intervals starting in [from, to), at most a year; a member filter shows that member only.',
        params: IdParams,
        querystring: IntervalQuery,
        response: { 200: Page(Interval, 'Cleared intervals in time order') },
        problems: [...READING, ...PERIOD, 'invalid_cursor'],
      },
    },
    async (request) =>
      listIntervals(
        request.db,
        request.principal,
        request.params.id,
        { from: new Date(request.query.from), to: new Date(request.query.to), member_id: request.query.member_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/communities/:id/statements',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getCommunityStatement',
        tags,
        summary: 'Monthly statement per member',
        description: "Each member's Wh, cost, revenue and savings in a local month; a member's own users see only it.",
        params: IdParams,
        querystring: StatementQuery,
        response: { 200: Statement },
        problems: [...READING, 'date_out_of_range'],
      },
    },
    async (request) =>
      monthlyStatement(request.db, request.principal, request.params.id, request.query.month, request.query.member_id),
  );

  app.get(
    '/api/communities/:id/statements.csv',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getCommunityStatementCsv',
        tags,
        summary: 'Monthly statement as CSV',
        description: 'The same statement as `GET …/statements`, one row per member and one for the totals.',
        params: IdParams,
        querystring: StatementQuery,
        produces: ['text/csv'],
        response: { 200: StatementCsv },
        problems: [...READING, 'date_out_of_range'],
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv')
        .send(
          statementCsv(
            await monthlyStatement(
              request.db,
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
        operationId: 'listCommunityCertificateMoves',
        description:
          'With `move_certificates`, each fully cleared hour moves the Wh each seller sold each ' +
          "buyer from the certificates of the seller's device for that hour to the buyer's " +
          'account, cancelled for and claimed by the buyer. `moved_wh` is less than `matched_wh` ' +
          'when the seller had fewer certificates for the hour (none issued yet, or none held).',
        params: IdParams,
        querystring: CertificateMoveQuery,
        response: { 200: Page(CertificateMove, 'Moves by hour, then seller and buyer') },
        problems: [...READING, ...PERIOD, 'invalid_cursor'],
      },
    },
    async (request) =>
      listCertificateMoves(
        request.db,
        request.principal,
        request.params.id,
        { from: new Date(request.query.from), to: new Date(request.query.to), member_id: request.query.member_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/communities/:id/matches',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        tags,
        summary: 'Matches, with their payment states',
        operationId: 'listCommunityMatches',
        description:
          'Matches of intervals in [from, to), at most a year, in the order of their intervals and, within one, of their ids ' +
          '(id order for every interval cleared since clearing only moves forward).',
        params: IdParams,
        querystring: MatchQuery,
        response: { 200: Page(Match, 'Matches by interval, then id') },
        problems: [...READING, ...PERIOD, 'invalid_cursor'],
      },
    },
    async (request) => {
      const { items, next_cursor } = await listMatches(
        request.db,
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
      config: { readOnly: true, access: 'public' },
      schema: {
        tags,
        summary: 'One page of matches as CSV',
        operationId: 'listCommunityMatchesCsv',
        description: "The same page as `GET …/matches`; the next page's cursor is in the `Next-Cursor` header.",
        params: IdParams,
        querystring: MatchQuery,
        produces: ['text/csv'],
        response: { 200: MatchesCsv },
        problems: [...READING, ...PERIOD, 'invalid_cursor'],
      },
    },
    async (request, reply) => {
      const page = await listMatches(
        request.db,
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
        operationId: 'setCommunityMatchStates',
        description:
          'All or nothing. Allowed: created → sent or error; ' +
          'sent → paid, not_paid or error; not_paid → paid; error → sent.',
        params: IdParams,
        body: MatchStatesChange,
        response: { 200: Items(Match, 'The matches in their new state') },
        problems: [...MANAGING, 'duplicate_match', 'match_not_found', 'invalid_state_transition'],
      },
    },
    async (request) => ({
      items: await updateMatchStates(
        request.db,
        caller(request),
        request.params.id,
        request.body.match_ids,
        request.body.state,
        ctx.clock.now(),
      ),
    }),
  );
}
