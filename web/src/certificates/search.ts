// What a page of bundles lists and has selected: the filter applied, the account it reads (the
// first of the accounts until the filter names one), the bundles it finds page by page, and the
// selection among them, which a new filter clears (its rows may be listed no longer).
import { useState } from 'react';
import type { components } from '../api/schema';
import { useBundles } from './bundles';
import { type Filter, queryBody } from './filter';
import { useSelection } from './selection';

type Account = components['schemas']['Account'];

export function useBundleSearch(accounts: readonly Account[] | undefined, initial: Filter) {
  const [filter, setFilter] = useState<Filter>(initial);
  const account = accounts?.find((a) => a.id === filter.accountId) ?? accounts?.[0];
  const bundles = useBundles(account && queryBody(filter, account.id));
  const selection = useSelection(bundles.rows);
  const apply = (next: Filter) => {
    setFilter(next);
    selection.clear();
  };
  return { filter, account, bundles, selection, apply };
}
