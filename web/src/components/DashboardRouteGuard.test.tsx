import { act, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useProfile } from '../api/queries';
import { SESSION_KEY } from '../auth/session';
import { FakeApi } from '../test/fakeApi';
import { makeJwt, renderDashboard, signIn } from '../test/render';
import { DashboardRouteGuard } from './DashboardRouteGuard';

function Member() {
  const { data } = useProfile();
  return <p>Welcome {data?.profile.displayName ?? '…'}</p>;
}

describe('DashboardRouteGuard', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });

  it('asks a visitor without a session to sign in, and calls no API', () => {
    renderDashboard(<Member />);
    expect(screen.getByRole('heading', { name: 'Please sign in' })).toHaveFocus();
    expect(screen.getByText(/Sign in to The Babes Club to see your profile/)).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);
  });

  it('treats an expired session as signed out', () => {
    signIn({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
    renderDashboard(<Member />);
    expect(screen.getByRole('heading', { name: 'Please sign in' })).toBeInTheDocument();
    expect(screen.getByText(/Your session has expired/)).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);
  });

  it('accepts a session from localStorage or sessionStorage, expiry in seconds or ms', async () => {
    signIn({ storage: 'session', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    renderDashboard(<Member />);
    expect(await screen.findByText('Welcome Demo Babe')).toBeInTheDocument();
  });

  it('shows the sign-in screen after a 401 and forgets the rejected session', async () => {
    signIn({ token: 'revoked-token' });
    renderDashboard(<Member />);
    expect(await screen.findByRole('heading', { name: 'Please sign in' })).toBeInTheDocument();
    expect(screen.getByText(/Your session is no longer valid/)).toBeInTheDocument();
    expect(api.calls('GET /dashboard/profile')[0]?.headers.get('Authorization')).toBe('Bearer revoked-token');
    expect(window.localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('signs out when the session expires while the page is open', () => {
    // The test owns the clock and the timers: the session ends exactly when
    // its expiry says, however long the render took.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      signIn({ expiresAt: Date.now() + 60_000 });
      render(
        <DashboardRouteGuard>
          <p>Dashboard</p>
        </DashboardRouteGuard>,
      );
      expect(screen.getByText('Dashboard')).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(59_999));
      expect(screen.getByText('Dashboard')).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(1));
      expect(screen.getByText(/Your session has expired/)).toBeInTheDocument();
      expect(screen.queryByText('Dashboard')).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });

  it('picks up a sign-in made in another tab', async () => {
    renderDashboard(<Member />);
    expect(screen.getByRole('heading', { name: 'Please sign in' })).toBeInTheDocument();
    signIn();
    act(() => {
      window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    });
    expect(await screen.findByText('Welcome Demo Babe')).toBeInTheDocument();
  });

  it('re-reads the session when the member says they signed in', async () => {
    const { user } = renderDashboard(<Member />);
    signIn();
    await user.click(screen.getByRole('button', { name: /I have signed in/ }));
    expect(await screen.findByText('Welcome Demo Babe')).toBeInTheDocument();
  });

  it('signs in with the demo link and clears the token from the address bar', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = makeJwt({ userId: '0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e', email: 'demo@babesclub.example', displayName: 'Demo Babe', role: 'customer', exp });
    api.token = token;
    window.history.replaceState(null, '', `/?x=1#demo-token=${token}`);
    render(
      <DashboardRouteGuard>
        <p>Dashboard</p>
      </DashboardRouteGuard>,
    );
    expect(screen.getByText('Dashboard')).toBeInTheDocument();
    expect(window.location.hash).toBe('');
    expect(window.location.search).toBe('?x=1');
    const stored = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? 'null') as { token: string; expiresAt: number; user: { displayName: string } };
    expect(stored).toEqual({
      token,
      expiresAt: exp * 1000,
      user: { userId: '0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e', email: 'demo@babesclub.example', displayName: 'Demo Babe', role: 'customer' },
    });
  });

  it('does not sign in with an expired demo link', () => {
    const token = makeJwt({ userId: 'u1', exp: Math.floor(Date.now() / 1000) - 10 });
    window.history.replaceState(null, '', `/#demo-token=${token}`);
    render(
      <DashboardRouteGuard>
        <p>Dashboard</p>
      </DashboardRouteGuard>,
    );
    expect(screen.getByText(/Your session has expired/)).toBeInTheDocument();
    expect(window.location.hash).toBe('');
  });
});
