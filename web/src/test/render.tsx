import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { SESSION_KEY, type Session } from '../auth/session';
import { DashboardDataProvider } from '../components/DashboardDataProvider';
import { DashboardRouteGuard } from '../components/DashboardRouteGuard';
import { TEST_TOKEN } from './fakeApi';

/** makeJwt builds a token with the given claims (unsigned: only the API verifies tokens). */
export function makeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o))))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}

/** signIn stores a session the way the identity service does. */
export function signIn(opts: { token?: string; expiresAt?: number | string; storage?: 'local' | 'session'; user?: Session['user'] } = {}) {
  const value = {
    token: opts.token ?? TEST_TOKEN,
    expiresAt: opts.expiresAt ?? new Date(Date.now() + 3_600_000).toISOString(),
    user: opts.user ?? { userId: '0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e', email: 'demo@babesclub.example', displayName: 'Demo Babe' },
  };
  (opts.storage === 'session' ? window.sessionStorage : window.localStorage).setItem(SESSION_KEY, JSON.stringify(value));
}

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Infinity, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

/** renderDashboard renders ui inside the real route guard and data provider. */
export function renderDashboard(ui: ReactElement) {
  const queryClient = testQueryClient();
  const user = userEvent.setup();
  const result = render(
    <DashboardRouteGuard>
      <DashboardDataProvider queryClient={queryClient}>{ui}</DashboardDataProvider>
    </DashboardRouteGuard>,
  );
  return { ...result, user, queryClient };
}
