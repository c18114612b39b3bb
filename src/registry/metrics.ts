// What this process issued, for /metrics: counted once the issuing transaction committed, never
// inside it, so a rolled-back issuance counts nothing. In-process counters (platform/metrics.ts says
// why): each process counts its own issuance and Prometheus sums them.
import { processCounter } from '../platform/metrics.ts';

const wh = processCounter('tally_issued_wh_total', 'Wh of certificates this process issued (committed)');
const bundles = processCounter('tally_issued_bundles_total', 'Certificate bundles this process issued (committed)');

/**
 * Counts committed issuance, the bundles written or a round's totals: call it once the transaction
 * that wrote them committed.
 */
export function countIssued(
  issued: ReadonlyArray<{ bundle_quantity: number }> | { bundles_issued: number; wh_issued: number },
): void {
  const [b, w] =
    'bundles_issued' in issued
      ? [issued.bundles_issued, issued.wh_issued]
      : [issued.length, issued.reduce((sum, r) => sum + r.bundle_quantity, 0)];
  bundles.inc(b);
  wh.inc(w);
}
