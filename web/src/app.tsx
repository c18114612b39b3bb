// The frame of every page: a header with the navigation (a burger under 48 em), and the routes.
// Pages that need a session send a visitor to sign in first.
import { AppShell, Burger, Button, Group, NavLink, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { DashboardPage } from './pages/dashboard';
import { LedgerPage } from './pages/ledger';
import { SignInPage } from './pages/sign-in';
import { signOut, useSignedIn } from './session';

const NAVIGATION = [
  { to: '/ledger', label: 'Ledger explorer', signedIn: false },
  { to: '/dashboard', label: 'Dashboard', signedIn: true },
];

function SignedIn({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  return signedIn ? children : <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
}

export function App() {
  const [opened, { toggle, close }] = useDisclosure();
  const signedIn = useSignedIn();
  const location = useLocation();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Title order={1} size="h3">
              Tally
            </Title>
          </Group>
          {signedIn ? (
            <Button variant="subtle" onClick={signOut}>
              Sign out
            </Button>
          ) : (
            <Button component={Link} to="/sign-in" variant="subtle">
              Sign in
            </Button>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        {NAVIGATION.filter((n) => signedIn || !n.signedIn).map((n) => (
          <NavLink
            key={n.to}
            component={Link}
            to={n.to}
            label={n.label}
            active={location.pathname.startsWith(n.to)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route path="/" element={<Navigate to={signedIn ? '/dashboard' : '/ledger'} replace />} />
          <Route path="/ledger" element={<LedgerPage />} />
          <Route path="/ledger/blocks/:height" element={<LedgerPage />} />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route
            path="/dashboard"
            element={
              <SignedIn>
                <DashboardPage />
              </SignedIn>
            }
          />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
