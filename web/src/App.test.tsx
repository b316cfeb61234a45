import { render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { FakeApi } from './test/fakeApi';
import { profileFixture } from './test/fixtures';
import { signIn, testQueryClient } from './test/render';

describe('App', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('shows profile, orders and NFTs for a signed-in member', async () => {
    render(<App queryClient={testQueryClient()} />);
    expect(await screen.findByRole('heading', { name: 'Demo Babe' })).toBeInTheDocument();
    const orders = screen.getByRole('region', { name: 'Order history' });
    expect(await within(orders).findByRole('button', { name: 'BC-ORDER001' })).toBeInTheDocument();
    const nfts = screen.getByRole('region', { name: 'NFT holdings' });
    expect(await within(nfts).findByRole('img', { name: 'Babe #0001' })).toBeInTheDocument();
  });

  it("hides the views the member's settings turn off", async () => {
    api.profile = profileFixture({ dashboardSettings: { showOrderHistory: false, showNftHoldings: true, emailNotifications: true } });
    render(<App queryClient={testQueryClient()} />);
    expect(await screen.findByRole('heading', { name: 'Demo Babe' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Order history' })).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'NFT holdings' })).toBeInTheDocument();
  });

  it('asks to sign in without a session', () => {
    window.localStorage.clear();
    render(<App queryClient={testQueryClient()} />);
    expect(screen.getByRole('heading', { name: 'Please sign in' })).toBeInTheDocument();
  });
});
