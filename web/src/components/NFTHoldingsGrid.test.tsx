import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, never } from '../test/fakeApi';
import { nftFixture, profileFixture, WALLET } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { FALLBACK_IMAGE, NFTHoldingsGrid } from './NFTHoldingsGrid';

describe('NFTHoldingsGrid', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('shows a loading skeleton', () => {
    api.on('GET /dashboard/nfts', never, { once: false });
    renderDashboard(<NFTHoldingsGrid />);
    expect(screen.getAllByRole('status').map((s) => s.textContent)).toContain('Loading your NFTs…');
  });

  it('shows the holdings with names, collections and last sync', async () => {
    renderDashboard(<NFTHoldingsGrid />);
    const grid = await screen.findByRole('list', { name: 'Your NFTs' });
    const items = within(grid).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(within(items[0]!).getByRole('img', { name: 'Babe #0001' })).toHaveAttribute(
      'src',
      'https://images.babesclub.example/nft/1-thumb.png',
    );
    expect(items[0]).toHaveTextContent('Babes Club Genesis · #1');
    expect(screen.getByText(/Last synced/)).toBeInTheDocument();
    expect(screen.getByText('Not verified')).toBeInTheDocument();
  });

  it('filters by collection through the API', async () => {
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await screen.findByRole('list', { name: 'Your NFTs' });
    const select = screen.getByRole('combobox', { name: 'Collection' });
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'All collections',
      'Babes Club Charms',
      'Babes Club Genesis',
    ]);
    await user.selectOptions(select, 'babes-club-charms');
    const grid = await screen.findByRole('list', { name: 'NFTs from Babes Club Charms' });
    expect(within(grid).getAllByRole('listitem')).toHaveLength(1);
    expect(within(grid).getByRole('img', { name: 'Babe #0002' })).toBeInTheDocument();
    expect(api.calls('GET /dashboard/nfts').at(-1)!.query.get('collectionId')).toBe('babes-club-charms');

    await user.selectOptions(select, '');
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Your NFTs' })).getAllByRole('listitem')).toHaveLength(3));
  });

  it('shows a fallback image when a thumbnail fails to load', async () => {
    api.nfts = [nftFixture(1), nftFixture(3, { thumbnailUrl: '', imageUrl: '' })];
    renderDashboard(<NFTHoldingsGrid />);
    const img = await screen.findByRole('img', { name: 'Babe #0001' });
    fireEvent.error(img);
    const fallback = await screen.findByRole('img', { name: 'Babe #0001 (image unavailable)' });
    expect(fallback).toHaveAttribute('src', FALLBACK_IMAGE);
    // No image at all: the fallback from the start.
    expect(screen.getByRole('img', { name: 'Babe #0003 (image unavailable)' })).toHaveAttribute('src', FALLBACK_IMAGE);
  });

  it('says when the marketplace is being checked', async () => {
    api.nftsRefreshing = true;
    api.nftsSyncedAt = null;
    renderDashboard(<NFTHoldingsGrid />);
    expect(await screen.findByText(/Checking the marketplace for changes/)).toBeInTheDocument();
    expect(screen.getByText('Not synced yet')).toBeInTheDocument();
  });

  it('explains how to link a wallet when there is none', async () => {
    api.profile = profileFixture({ preferredWallet: null });
    renderDashboard(<NFTHoldingsGrid />);
    expect(await screen.findByText('No wallet linked yet.')).toBeInTheDocument();
    expect(screen.getByText('Add a wallet under Wallets above to see your Babes Club NFTs here.')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Wallets' })).getByText('No wallets yet.')).toBeInTheDocument();
  });

  it('shows the NFTs of verified wallets when none is primary, each card naming its wallet', async () => {
    const other = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    api.profile = profileFixture({ preferredWallet: null });
    api.wallets = [
      { address: WALLET, verifiedAt: '2025-11-20T10:00:00Z', kind: 'eoa' },
      { address: other, verifiedAt: '2025-11-21T10:00:00Z', kind: 'contract' },
    ];
    api.nfts = [nftFixture(1), nftFixture(2, { wallet: other })];
    renderDashboard(<NFTHoldingsGrid />);
    const items = within(await screen.findByRole('list', { name: 'Your NFTs' })).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('In 0x5290…9EE7');
    expect(items[1]).toHaveTextContent('In 0x7099…79C8');
    expect(within(items[1]!).getByTitle(other)).toBeInTheDocument();
    expect(screen.queryByText('No wallet linked yet.')).not.toBeInTheDocument();
  });

  it('does not name the wallet on the cards when there is only one', async () => {
    renderDashboard(<NFTHoldingsGrid />);
    const grid = await screen.findByRole('list', { name: 'Your NFTs' });
    await screen.findByRole('list', { name: 'Your wallets' });
    expect(grid).not.toHaveTextContent('In 0x');
  });

  it('has an empty state for a wallet without NFTs', async () => {
    api.nfts = [];
    renderDashboard(<NFTHoldingsGrid />);
    expect(await screen.findByText('No Babes Club NFTs in your wallets yet.')).toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    api.on('GET /dashboard/nfts', () => apiError(503, 'upstream_unavailable', 'Marketplace down.'), { once: false });
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("We couldn't load your NFTs.");
    api.clearOverrides();
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Your NFTs' })).toBeInTheDocument();
  });

  it('loads more holdings with the next cursor', async () => {
    api.nfts = Array.from({ length: 30 }, (_, i) => nftFixture(i + 1));
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    const grid = await screen.findByRole('list', { name: 'Your NFTs' });
    expect(within(grid).getAllByRole('listitem')).toHaveLength(24);
    await user.click(screen.getByRole('button', { name: 'Show more NFTs' }));
    await waitFor(() => expect(within(grid).getAllByRole('listitem')).toHaveLength(30));
    expect(api.calls('GET /dashboard/nfts').at(-1)!.query.get('cursor')).toBe('cur-24');
    expect(screen.queryByRole('button', { name: 'Show more NFTs' })).not.toBeInTheDocument();
  });
});
