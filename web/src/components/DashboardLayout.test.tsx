import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_KEY } from '../auth/session';
import { FakeApi } from '../test/fakeApi';
import { renderDashboard, signIn } from '../test/render';
import { DashboardLayout } from './DashboardLayout';

describe('DashboardLayout', () => {
  beforeEach(() => {
    new FakeApi().install();
    signIn();
  });

  it('frames the slots with navigation and the member name', async () => {
    renderDashboard(
      <DashboardLayout profile={<h2 id="profile-heading">P</h2>} orders={<h2 id="orders-heading">O</h2>} nfts={null} />,
    );
    expect(screen.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#main');
    const nav = screen.getByRole('navigation', { name: 'Dashboard sections' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Profile', 'Orders']);
    expect(screen.getByRole('region', { name: 'P' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'O' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    // The session's name first, the profile's once it is loaded.
    expect(await screen.findByText('Demo Babe', { selector: 'strong' })).toBeInTheDocument();
  });

  it('signs out', async () => {
    const { user } = renderDashboard(<DashboardLayout profile={<p>P</p>} />);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByRole('heading', { name: 'Please sign in' })).toBeInTheDocument();
    expect(screen.getByText('You have signed out of the member dashboard.')).toBeInTheDocument();
    expect(window.localStorage.getItem(SESSION_KEY)).toBeNull();
  });
});
