// A publication as the page words it: what its uploader status means, and what was published
// with where the UI shows it.
import type { components } from '../api/schema';

export type Publication = components['schemas']['Publication'];
export type Kind = Publication['kind'];

/** The list's query key, which a new publication refreshes. */
export const PUBLICATIONS_KEY = 'publications';

/** The uploader's final status of a stored document. */
const STORED = 400;

export interface Status {
  label: string;
  color: 'green' | 'red' | 'gray';
}

/** The uploader's status in words: 400 stored; 200–299 payment failed; 401–499 upload failed. */
export function statusOf(status: number): Status {
  if (status === STORED) return { label: 'Stored', color: 'green' };
  if (status >= 200 && status < 300) return { label: 'Payment failed', color: 'red' };
  if (status > STORED && status < 500) return { label: 'Upload failed', color: 'red' };
  return { label: `Status ${status}`, color: 'gray' };
}

export const KINDS: { value: Kind; label: string; id: string }[] = [
  { value: 'disclosure', label: 'A disclosure', id: 'Disclosure id (a UUID)' },
  { value: 'ledger_block', label: 'A sealed ledger block', id: 'Block height' },
  { value: 'market_forecasts', label: 'A market session’s forecasts', id: 'Market session id' },
];

export interface Subject {
  /** What was published, in words. */
  text: string;
  /** Its page in this UI, where it has a public one. */
  page?: { to: string; label: string };
}

export function subjectOf({ kind, subject_id: id }: Pick<Publication, 'kind' | 'subject_id'>): Subject {
  switch (kind) {
    case 'disclosure':
      return { text: `Disclosure ${id}`, page: { to: `/disclosures/${id}`, label: 'Open the disclosure' } };
    case 'ledger_block':
      return { text: `Ledger block ${id}`, page: { to: `/ledger/blocks/${id}`, label: `Open block ${id}` } };
    case 'market_forecasts':
      return { text: `Forecasts of market session ${id}` };
  }
}
