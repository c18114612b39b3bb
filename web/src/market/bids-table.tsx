// The user's bids (everyone's for roles that read everything), each with where its payment stands
// and, once the run made them, a link to its forecasts. A bid of the open session not yet paid can
// be paid from here.
import { Alert, Anchor, Button, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { type Column, DataTable } from '../components/data-table';
import { Paged } from '../components/paged';
import { baseUnits } from '../format';
import { PayBidModal } from './pay-bid';
import { useBids, useOpenSession, useResourceNames } from './queries';
import { StateBadge } from './state-badge';
import { paymentLabel, paymentState } from './states';
import type { Bid } from './types';

/** The resource view, at the forecasts of one session. */
export const forecastLink = (resourceId: string, sessionId: number) =>
  `/market/resources/${resourceId}?session=${sessionId}`;

function BidRows({
  bids,
  openSession,
  onPay,
}: {
  bids: Bid[];
  openSession: number | undefined;
  onPay: (b: Bid) => void;
}) {
  const names = useResourceNames(bids.map((b) => b.resource_id));
  const columns: Column<Bid>[] = [
    {
      header: 'Bid',
      cell: (b) => (
        <>
          <Text ff="monospace" size="xs">
            {b.id}
          </Text>
          <Text size="xs" c="dimmed">
            gain measured in {b.gain_func.toUpperCase()}
          </Text>
        </>
      ),
    },
    { header: 'Session', cell: (b) => b.session_id },
    {
      header: 'Resource',
      cell: (b) => (
        <Anchor component={Link} to={`/market/resources/${b.resource_id}`}>
          {names.get(b.resource_id) ?? b.resource_id}
        </Anchor>
      ),
    },
    { header: 'Bid price', cell: (b) => baseUnits(b.bid_price) },
    { header: 'Most paid', cell: (b) => baseUnits(b.max_payment) },
    {
      header: 'Payment',
      cell: (b) => (
        <>
          <StateBadge state={paymentLabel(b)} />
          {paymentState(b) === 'unpaid' && b.session_id === openSession && (
            <Button size="compact-sm" mt={4} onClick={() => onPay(b)} aria-label={`Pay bid ${b.id}`}>
              Pay
            </Button>
          )}
        </>
      ),
    },
    {
      header: 'Forecasts',
      cell: (b) =>
        b.has_forecasts ? (
          <Anchor component={Link} to={forecastLink(b.resource_id, b.session_id)}>
            Forecast of session {b.session_id}
          </Anchor>
        ) : (
          <Text c="dimmed">None yet</Text>
        ),
    },
  ];
  return <DataTable label="Bids" rows={bids} columns={columns} rowKey={(b) => b.id} minWidth={960} />;
}

export function BidsTable() {
  const bids = useBids();
  const open = useOpenSession();
  const [paying, setPaying] = useState<Bid | undefined>();
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      {done && (
        <Alert
          color="green"
          role="status"
          withCloseButton
          onClose={() => setDone(undefined)}
          closeButtonLabel="Dismiss"
        >
          {done}
        </Alert>
      )}
      <Paged list={bids} what="bids" empty="You have placed no bid yet.">
        {(items) => <BidRows bids={items} openSession={open.data?.id} onPay={setPaying} />}
      </Paged>
      <PayBidModal bid={paying} onClose={() => setPaying(undefined)} onDone={setDone} />
    </>
  );
}
