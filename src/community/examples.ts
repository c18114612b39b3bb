// Examples for the OpenAPI document, from the README's community example: a rooftop (member 1)
// and two flats (members 2 and 3) in one quarter hour, cleared at the mid-market rate.
// Each must be valid against its schema: `redocly lint` checks them in test/openapi.test.ts.

const created = '2026-06-01T08:00:00.000Z';
const start = '2026-06-01T12:00:00.000Z';

export const newCommunity = {
  name: 'Our street',
  interval_minutes: 15,
  time_zone: 'Europe/Lisbon',
  mechanism: 'mmr',
  grid_price: 0.1624,
  feed_in_price: 0.03,
  currency: 'EUR',
  move_certificates: false,
};

export const community = {
  id: 1,
  name: 'Our street',
  mechanism: 'mmr',
  grid_price: 0.1624,
  feed_in_price: 0.03,
  peer_price: null,
  move_certificates: false,
  public: false,
  data_wait_minutes: 2880,
  interval_minutes: 15,
  time_zone: 'Europe/Lisbon',
  currency: 'EUR',
  manager_id: 6,
  created_at: created,
  updated_at: created,
};

export const member = {
  id: 2,
  community_id: 1,
  name: 'Flat-1',
  metering_point_id: 'FLAT-1',
  export_metering_point_id: null,
  share: null,
  valid_from: '2026-06-01',
  valid_to: null,
  created_at: created,
  updated_at: created,
};

const matches = [
  { id: 1, buyer: 2, seller: 1, wh: 400, price: 0.0962, amount: 0.03848, state: 'created' },
  { id: 2, buyer: 3, seller: 1, wh: 600, price: 0.0962, amount: 0.05772, state: 'created' },
  { id: 3, buyer: 2, seller: null, wh: 200, price: 0.1624, amount: 0.03248, state: 'created' },
  { id: 4, buyer: 3, seller: null, wh: 300, price: 0.1624, amount: 0.04872, state: 'created' },
];

export const match = { ...matches[0], interval_start: start };

export const interval = {
  interval_start: start,
  interval_end: '2026-06-01T12:15:00.000Z',
  mechanism: 'mmr',
  grid_price: 0.1624,
  feed_in_price: 0.03,
  peer_price: 0.0962,
  buy_price: 0.11744,
  sell_price: 0.0962,
  demand_wh: 1500,
  supply_wh: 1000,
  peer_wh: 1000,
  grid_import_wh: 500,
  grid_export_wh: 0,
  grid_only_member_ids: [],
  missing_member_ids: [],
  implausible_member_ids: [],
  matches,
  members: [
    { member_id: 1, from_peers_wh: 0, to_peers_wh: 1000, from_grid_wh: 0, to_grid_wh: 0, cost: 0, revenue: 0.0962 },
    { member_id: 2, from_peers_wh: 400, to_peers_wh: 0, from_grid_wh: 200, to_grid_wh: 0, cost: 0.07096, revenue: 0 },
    { member_id: 3, from_peers_wh: 600, to_peers_wh: 0, from_grid_wh: 300, to_grid_wh: 0, cost: 0.10644, revenue: 0 },
  ],
};

const line = (from_peers_wh: number, to_peers_wh: number, from_grid_wh: number, cost: number, revenue: number) => ({
  from_peers_wh,
  to_peers_wh,
  from_grid_wh,
  to_grid_wh: 0,
  cost,
  revenue,
});

export const statement = {
  community_id: 1,
  month: '2026-06',
  currency: 'EUR',
  period_start: '2026-05-31T23:00:00.000Z',
  period_end: '2026-06-30T23:00:00.000Z',
  members: [
    {
      member_id: 1,
      name: 'Rooftop',
      ...line(0, 1000, 0, 0, 0.0962),
      net_cost: -0.0962,
      grid_only_cost: -0.03,
      savings: 0.0662,
    },
    {
      member_id: 2,
      name: 'Flat-1',
      ...line(400, 0, 200, 0.07096, 0),
      net_cost: 0.07096,
      grid_only_cost: 0.09744,
      savings: 0.02648,
    },
    {
      member_id: 3,
      name: 'Flat-2',
      ...line(600, 0, 300, 0.10644, 0),
      net_cost: 0.10644,
      grid_only_cost: 0.14616,
      savings: 0.03972,
    },
  ],
  totals: {
    ...line(1000, 1000, 500, 0.1774, 0.0962),
    net_cost: 0.0812,
    grid_only_cost: 0.2136,
    savings: 0.1324,
    grid_bill: 0.0812,
  },
};
