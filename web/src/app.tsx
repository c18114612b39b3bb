// The frame of every page: a header with the navigation (a burger under 48 em), and the routes.
// Each page is its own chunk, loaded when first visited, so the public pages do not carry the
// signed-in ones' code. Pages that need a session send a visitor to sign in first.
import { AppShell, Burger, Button, Group, NavLink, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { type ComponentType, lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { ADMIN_ROLES } from './admin/sections';
import { useMe } from './api/me';
import type { Role } from './api/roles';
import { Loading } from './components/states';
import { signOut, useSignedIn } from './session';

/** A page component loaded on first visit from its module's named export. */
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const LedgerPage = lazyPage(() => import('./pages/ledger'), 'LedgerPage');
const DisclosuresPage = lazyPage(() => import('./pages/disclosures'), 'DisclosuresPage');
const CommunitiesPage = lazyPage(() => import('./pages/communities'), 'CommunitiesPage');
const SignInPage = lazyPage(() => import('./pages/sign-in'), 'SignInPage');
const DashboardPage = lazyPage(() => import('./pages/dashboard'), 'DashboardPage');
const CertificatesPage = lazyPage(() => import('./pages/certificates'), 'CertificatesPage');
const DevicesPage = lazyPage(() => import('./pages/devices'), 'DevicesPage');
const DevicePage = lazyPage(() => import('./pages/devices'), 'DevicePage');
const MarketPage = lazyPage(() => import('./pages/market'), 'MarketPage');
const AccountsPage = lazyPage(() => import('./pages/accounts'), 'AccountsPage');
const AccountPage = lazyPage(() => import('./pages/accounts'), 'AccountPage');
const ApiKeysPage = lazyPage(() => import('./pages/accounts'), 'ApiKeysPage');
const PublicationsPage = lazyPage(() => import('./pages/publications'), 'PublicationsPage');
const AdminPage = lazyPage(() => import('./pages/admin'), 'AdminPage');

interface Page {
  path: string;
  Component: ComponentType;
  /** Session needed to see it. */
  signedIn: boolean;
  /** Its entry in the navigation; pages reached from another page (a block, an item) have none. */
  label?: string;
  /** The roles its navigation entry shows to; every role when absent. The page itself says why to others. */
  roles?: Role[];
}

/** Every page of the app, in the navigation's order. */
const PAGES: Page[] = [
  { path: '/ledger', Component: LedgerPage, signedIn: false, label: 'Ledger explorer' },
  { path: '/ledger/blocks/:height', Component: LedgerPage, signedIn: false },
  { path: '/disclosures', Component: DisclosuresPage, signedIn: false, label: 'Disclosures' },
  { path: '/disclosures/:id', Component: DisclosuresPage, signedIn: false },
  { path: '/communities', Component: CommunitiesPage, signedIn: false, label: 'Communities' },
  { path: '/communities/:id', Component: CommunitiesPage, signedIn: false },
  { path: '/dashboard', Component: DashboardPage, signedIn: true, label: 'Dashboard' },
  { path: '/certificates', Component: CertificatesPage, signedIn: true, label: 'Certificates' },
  { path: '/devices', Component: DevicesPage, signedIn: true, label: 'Devices and meters' },
  { path: '/devices/:id', Component: DevicePage, signedIn: true },
  { path: '/market', Component: MarketPage, signedIn: true, label: 'Forecasting market' },
  { path: '/market/:tab', Component: MarketPage, signedIn: true },
  { path: '/market/resources/:id', Component: MarketPage, signedIn: true },
  { path: '/accounts', Component: AccountsPage, signedIn: true, label: 'Accounts' },
  { path: '/accounts/api-keys', Component: ApiKeysPage, signedIn: true },
  { path: '/accounts/:id', Component: AccountPage, signedIn: true },
  { path: '/publications', Component: PublicationsPage, signedIn: false, label: 'Publications' },
  { path: '/publications/:id', Component: PublicationsPage, signedIn: false },
  { path: '/admin', Component: AdminPage, signedIn: true, label: 'Administration', roles: ADMIN_ROLES },
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
  // Entries for some roles only wait for the caller's role (unknown while signed out).
  const role = useMe().data?.role;
  // One user's answers are not the next one's: signing in or out starts every query afresh.
  const queries = useQueryClient();
  const wasSignedIn = useRef(signedIn);
  useEffect(() => {
    if (wasSignedIn.current === signedIn) return;
    wasSignedIn.current = signedIn;
    void queries.resetQueries();
  }, [signedIn, queries]);
  const offered = (p: Page) =>
    p.label !== undefined && (signedIn || !p.signedIn) && (!p.roles || (role !== undefined && p.roles.includes(role)));
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
        {PAGES.filter(offered).map((p) => (
          <NavLink
            key={p.path}
            component={Link}
            to={p.path}
            label={p.label}
            active={location.pathname.startsWith(p.path)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/" element={<Navigate to={signedIn ? '/dashboard' : '/ledger'} replace />} />
            <Route path="/sign-in" element={<SignInPage />} />
            {PAGES.map(({ path, Component, signedIn: needsSession }) => (
              <Route
                key={path}
                path={path}
                element={
                  needsSession ? (
                    <SignedIn>
                      <Component />
                    </SignedIn>
                  ) : (
                    <Component />
                  )
                }
              />
            ))}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
