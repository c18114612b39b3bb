// Naming a bid's payment. On a chain the bidder transfers max_payment to the market wallet and
// names the transfer's hash, which the market checks; where the market keeps balances itself (no
// chain) nothing is named and the bid is paid from the bidder's free balance at once. The API
// refuses a second naming of the same bid, so a repeated click cannot pay twice.
import { Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, dataOf } from '../api/client';
import { PHONE } from '../components/data-table';
import { Failed } from '../components/states';
import { baseUnits } from '../format';
import { bidsChanged, useMarketWallet } from './queries';
import { paymentLabel } from './states';
import type { Bid } from './types';

interface Props {
  /** The bid to pay; none while the dialog is closed. */
  bid: Bid | undefined;
  onClose: () => void;
  /** After the API took the payment, with the sentence saying where the bid stands. */
  onDone: (text: string) => void;
}

export function PayBidModal({ bid, onClose, onDone }: Props) {
  const phone = useMediaQuery(PHONE);
  return (
    <Modal
      opened={bid !== undefined}
      onClose={onClose}
      title="Pay for the bid"
      fullScreen={phone}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {bid && <PayForm key={bid.id} bid={bid} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function PayForm({ bid, onClose, onDone }: { bid: Bid; onClose: () => void; onDone: (text: string) => void }) {
  const queries = useQueryClient();
  const wallet = useMarketWallet();
  const [txHash, setTxHash] = useState('');
  const pay = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.POST('/api/market/bids/{id}/payment', {
          params: { path: { id: bid.id } },
          body: txHash.trim() === '' ? {} : { tx_hash: txHash.trim() },
        }),
      ),
    onSuccess: (paid) => {
      void bidsChanged(queries);
      onDone(`Bid ${paid.id}: ${paymentLabel(paid).label.toLowerCase()}.`);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    pay.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <Text>
          Bid <Code>{bid.id}</Code> in session {bid.session_id} offers {baseUnits(bid.bid_price)} per unit of gain and
          pays at most {baseUnits(bid.max_payment)} (base units); what the run does not charge is returned.
        </Text>
        {wallet.data && (
          <Text>
            On the chain, transfer {baseUnits(bid.max_payment)} from your wallet to the market wallet{' '}
            <Code style={{ wordBreak: 'break-all' }}>{wallet.data.wallet_address}</Code> and name the transfer below.
          </Text>
        )}
        <TextInput
          label="Transaction hash"
          description="On a chain, the hash of your transfer (0x and 64 hex digits). Where the market keeps balances itself, leave it empty: the bid is paid from your free balance."
          placeholder="0x…"
          value={txHash}
          onChange={(e) => setTxHash(e.currentTarget.value)}
          autoComplete="off"
          spellCheck={false}
        />
        {pay.isError && <Failed error={pay.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={pay.isPending}>
            Pay
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
