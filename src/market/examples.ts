// Examples for the OpenAPI document: a wind farm's owner buying a better forecast of its plant in
// session 1. Each must be valid against its schema (`redocly lint` checks them in the OpenAPI test).
export const at = '2026-06-01T08:00:00.000Z';
export const marketAddress = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const userAddress = '0x70997970C51812dc3A010C7d01b50e20d6d5f9b8';
export const txHash = '0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060';
const resourceId = '3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b';

export const newResource = { name: 'wind-farm-1', type: 'measurements', to_forecast: true };
export const resource = { id: resourceId, user_id: 2, ...newResource, metering_point_id: null, registered_at: at };
export const series = {
  units: 'kw',
  time_interval: 60,
  points: [
    { datetime: '2026-05-31T22:00:00Z', value: 1520.5 },
    { datetime: '2026-05-31T23:00:00Z', value: 1498 },
  ],
};
export const challenge = {
  message: 'Tally market: user 2 proves this wallet. Nonce: 8f1d2c3b4a5e6f708192a3b4c5d6e7f8',
  expires_at: '2026-06-01T08:15:00.000Z',
};
export const walletProof = { wallet_address: userAddress, signature: `0x${'1b'.repeat(65)}` };
export const wallet = { wallet_address: userAddress, proven: true, registered_at: at };
export const session = {
  id: 1,
  session_number: 1,
  session_date: '2026-06-01',
  status: 'open',
  market_price: '5500000',
  b_min: '500000',
  b_max: '10000000',
  n_price_steps: 20,
  delta: 0.05,
  weights: Array.from({ length: 20 }, () => 1),
  staged_at: at,
  open_at: at,
  close_at: null,
  launch_at: null,
  finish_at: null,
};
export const newBid = {
  session_id: 1,
  resource_id: resourceId,
  bid_price: '6000000',
  max_payment: '50000000',
  gain_func: 'rmse',
};
export const bid = {
  id: '7a1c2e3f-4b5d-4c6e-9f80-a1b2c3d4e5f6',
  user_id: 2,
  ...newBid,
  tx_hash: txHash,
  payment_refusal: null,
  confirmed: true,
  has_forecasts: false,
  registered_at: at,
};
export const balance = {
  user_id: 2,
  balance: '50000000',
  total_deposit: '50000000',
  total_withdraw: '0',
  total_payment: '0',
  total_revenue: '0',
  updated_at: at,
};
export const transaction = {
  id: 1,
  session_id: 1,
  user_id: 2,
  resource_id: resourceId,
  bid_id: bid.id,
  transaction_type: 'transfer_in',
  amount: '50000000',
  registered_at: at,
};
export const forecast = {
  bid_id: bid.id,
  session_id: 1,
  resource_id: resourceId,
  datetime: '2026-06-01T09:00:00.000Z',
  q10: 1210.5,
  q50: 1504.2,
  q90: 1790.8,
};
export const report = {
  session_id: 1,
  seed: 2718281828,
  inputs_hash: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
  fee: '52500',
  filled: [{ resource_id: resourceId, back_filled: 3, mean_filled: 0 }],
  bids: [
    {
      bid_id: bid.id,
      ran: true,
      reason: null,
      filled_hours: 3,
      gain: 9.8,
      noise: 0,
      effective_price: '6000000',
      payment: '1050000',
      fee: '52500',
      refund: '48950000',
      shapley_method: 'exact',
      shapley_standard_error: 0,
      sellers: [
        { resource_id: '9e8d7c6b-5a49-4838-a726-150493827160', user_id: 3, shapley: 9.7, share: 1, revenue: '997500' },
      ],
      score: { hours_measured: 24, rmse: 180.2, pinball10: 30.1, pinball90: 28.7 },
    },
  ],
};
export const payout = {
  id: 1,
  user_id: 2,
  session_id: 1,
  amount: '48950000',
  wallet_address: userAddress,
  tx_hash: txHash,
  solid: true,
  registered_at: at,
};
