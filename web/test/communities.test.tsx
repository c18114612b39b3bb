// A community's page keeps the month and the day a visitor chooses in its address: choosing a month
// then a day before the page renders again keeps both (the day is not set on the old address).
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Route, Routes } from 'react-router';
import { CommunitiesPage } from '../src/pages/communities';
import { renderInApp } from './render';
import { ejectStub, json, problem, stubApi } from './stub-api';

const community = {
  id: 1,
  name: 'Rua Verde',
  mechanism: 'mmr',
  interval_minutes: 60,
  grid_price: 0.2,
  feed_in_price: 0.04,
  peer_price: null,
  currency: 'EUR',
  time_zone: 'UTC',
  manager_id: 9,
};

const statement = (month: string) => ({
  community_id: 1,
  month,
  currency: 'EUR',
  totals: { from_peers_wh: 0, from_grid_wh: 0, to_grid_wh: 0, to_peers_wh: 0, savings: 0 },
  members: [],
});

afterEach(ejectStub);

describe('the community page', () => {
  it('keeps a month and a day chosen one after the other before it renders again', async () => {
    const asked: string[] = [];
    stubApi((path, query) => {
      if (path === '/api/communities/1') return json(community);
      if (path === '/api/communities/1/members') return json({ items: [], next_cursor: null });
      if (path === '/api/communities/1/statements') {
        asked.push(query.get('month')!);
        return json(statement(query.get('month')!));
      }
      // The flows chart and the signed-in user are not what this test is about: they answer as
      // Tally does for a route it lacks, and the page shows their error beside the statement.
      return problem(404, 'route_not_found', `no stub for ${path}`);
    });
    renderInApp(
      <Routes>
        <Route path="/communities/:id" element={<CommunitiesPage />} />
      </Routes>,
      { at: '/communities/1' },
    );
    const month = await screen.findByLabelText('Statement month');
    const day = screen.getByLabelText('Day of the flows');
    // One act: both changes land before React renders again, as a fast hand or a busy machine does.
    act(() => {
      fireEvent.change(month, { target: { value: '2026-11' } });
      fireEvent.change(day, { target: { value: '2026-11-02' } });
    });
    await screen.findByText('The statement of 2026-11 as CSV');
    expect(screen.getByText('Statement of 2026-11')).toBeTruthy();
    expect((screen.getByLabelText('Day of the flows') as HTMLInputElement).value).toBe('2026-11-02');
    expect(asked.at(-1)).toBe('2026-11');
  });
});
