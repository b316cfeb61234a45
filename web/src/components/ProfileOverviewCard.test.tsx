import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { profileFixture } from '../test/fixtures';
import { apiError, FakeApi, never } from '../test/fakeApi';
import { renderDashboard, signIn } from '../test/render';
import { ProfileOverviewCard } from './ProfileOverviewCard';

const card = <ProfileOverviewCard onEdit={() => {}} editing={false} formId="f" />;

describe('ProfileOverviewCard', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('shows a loading skeleton while the profile loads', () => {
    api.on('GET /dashboard/profile', never);
    renderDashboard(card);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your profile…');
    expect(screen.queryByRole('button', { name: 'Edit profile' })).not.toBeInTheDocument();
  });

  it('shows the profile', async () => {
    renderDashboard(card);
    expect(await screen.findByText('demo@babesclub.example')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Demo Babe' })).toBeInTheDocument();
    expect(screen.getByText('+1 (555) 010-2025')).toBeInTheDocument();
    expect(screen.getByText('0x5290…9EE7')).toBeInTheDocument();
    const shipping = screen.getByText('Shipping address').nextElementSibling as HTMLElement;
    expect(within(shipping).getByText('Los Angeles, CA 90001, US')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit profile' })).toBeEnabled();
    expect(api.calls('GET /dashboard/profile')[0]?.headers.get('Authorization')).toBe('Bearer test-token');
  });

  it('invites a member without a saved profile to complete it', async () => {
    api.profile = profileFixture({
      phone: null,
      shippingAddress: null,
      billingAddress: null,
      preferredWallet: null,
      avatarUrl: null,
      stripeCustomerId: null,
      createdAt: null,
      updatedAt: null,
    });
    renderDashboard(card);
    expect(await screen.findByText("Your profile isn't set up yet.")).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Complete your profile' })).toBeInTheDocument();
    expect(screen.getAllByText('Not set')).toHaveLength(3);
    expect(screen.getByText('Not linked')).toBeInTheDocument();
  });

  it('shows an error with a retry that loads the profile again', async () => {
    api.on('GET /dashboard/profile', () => apiError(503, 'upstream_unavailable', 'Database unavailable.'));
    const { user } = renderDashboard(card);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("We couldn't load your profile.");
    expect(alert).toHaveTextContent('A service we depend on is not answering');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('demo@babesclub.example')).toBeInTheDocument();
    expect(api.calls('GET /dashboard/profile')).toHaveLength(2);
  });
});
