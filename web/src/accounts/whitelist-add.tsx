// Adding accounts to a whitelist by id, several at once ("5, 7"): ids that are not whole numbers
// are named before anything is sent; the API refuses an account that does not exist, or the
// account itself, in its own words, and then adds none of them.
import { Text } from '@mantine/core';
import { idList } from '../format';
import { OneFieldChange } from './one-field-change';
import { changeWhitelist } from './send';
import { accountIds, type Whitelist } from './shape';

export function WhitelistAdd({ account, onAdded }: { account: number; onAdded: (now: Whitelist) => void }) {
  return (
    <OneFieldChange
      label="Account ids to accept transfers from"
      action="Add"
      read={accountIds}
      send={(ids, header) => changeWhitelist(account, { add: ids }, header)}
      onSent={(now) => onAdded(now)}
      done={(_, ids) => (
        <Text role="status" size="sm">
          Added {ids.length === 1 ? 'account' : 'accounts'} {idList(ids)}.
        </Text>
      )}
    />
  );
}
