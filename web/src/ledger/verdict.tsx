// An event's inclusion, checked in this browser: its proof and its block fetched on their own, the
// one hashed up to the other's root (proof.ts), and a verdict that says what was checked. The ledger
// explorer and the disclosure page both ask it.
import { Alert } from '@mantine/core';
import { api, dataOf, problemText } from '../api/client';
import { type InclusionProof, verifyInclusion } from './proof';

export type Verdict = { ok: boolean; text: string };

/** Fetches the event's proof and its block, and checks the one against the other here. */
export async function verifyEvent(eventId: number): Promise<Verdict> {
  const proofAnswer = await api.GET('/api/events/{id}/proof', { params: { path: { id: eventId } } });
  if (!proofAnswer.data) return { ok: false, text: `No proof for event ${eventId}: ${problemText(proofAnswer.error)}` };
  const proof = proofAnswer.data;
  const block = dataOf(await api.GET('/api/ledger/blocks/{id}', { params: { path: { id: proof.block } } }));
  const included = await verifyInclusion(proof as InclusionProof, block.root);
  return included
    ? {
        ok: true,
        text:
          `Event ${eventId} is leaf ${proof.leaf_index} of the ${proof.tree_size} in block ${block.height}: ` +
          `its hash, taken up through ${proof.path.length} sibling hashes with SHA-256 in this browser, ` +
          `gives the block's root ${block.root}.`,
      }
    : { ok: false, text: `Event ${eventId}'s proof does not lead to block ${block.height}'s root ${block.root}.` };
}

/** The verdict, or a failure to reach one, as an announced status. */
export function VerdictAlert({ verdict }: { verdict: Verdict }) {
  return (
    <Alert
      color={verdict.ok ? 'green' : 'red'}
      title={verdict.ok ? 'Verified' : 'Not verified'}
      role="status"
      style={{ overflowWrap: 'anywhere' }}
    >
      {verdict.text}
    </Alert>
  );
}

/** verifyEvent that answers an unexpected failure (the network, a block gone) as a negative verdict. */
export async function verdictOn(eventId: number): Promise<Verdict> {
  try {
    return await verifyEvent(eventId);
  } catch (err) {
    return { ok: false, text: (err as Error).message };
  }
}
