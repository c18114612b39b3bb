// The two views of the accounts pages, as links (each its own address, so the browser's back and
// a bookmark work): the accounts, and the user's API keys. The current one says so to screen readers.
import { Button, Group } from '@mantine/core';
import { Link, useLocation } from 'react-router';

const VIEWS = [
  { to: '/accounts', label: 'Accounts' },
  { to: '/accounts/api-keys', label: 'API keys' },
];

export function AccountsTabs() {
  const { pathname } = useLocation();
  return (
    <Group component="nav" aria-label="Accounts and API keys" gap="xs">
      {VIEWS.map((v) => {
        const current = pathname === v.to;
        return (
          <Button
            key={v.to}
            component={Link}
            to={v.to}
            variant={current ? 'filled' : 'default'}
            aria-current={current ? 'page' : undefined}
          >
            {v.label}
          </Button>
        );
      })}
    </Group>
  );
}
