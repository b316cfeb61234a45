import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, GOOD_SIGNATURE } from '../test/fakeApi';
import { WALLET } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { NFTHoldingsGrid } from './NFTHoldingsGrid';

function mockEthereum(overrides: Partial<Record<string, (params?: unknown[]) => unknown>> = {}) {
  const request = vi.fn(async ({ method, params }: { method: string; params?: unknown[] }) => {
    const o = overrides[method];
    if (o) return o(params);
    if (method === 'eth_requestAccounts') return [WALLET.toLowerCase()];
    if (method === 'personal_sign') return GOOD_SIGNATURE;
    throw new Error(`unexpected ${method}`);
  });
  window.ethereum = { request };
  return request;
}

describe('WalletVerification', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('explains what to do when no wallet extension exists', async () => {
    renderDashboard(<NFTHoldingsGrid />);
    expect(await screen.findByText('Not verified')).toBeInTheDocument();
    expect(screen.getByText(/No wallet extension was found in this browser/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Verify wallet' })).not.toBeInTheDocument();
  });

  it('verifies the wallet: challenge, personal_sign, verify', async () => {
    const request = mockEthereum();
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await user.click(await screen.findByRole('button', { name: 'Verify wallet' }));

    expect(await screen.findByText('Your wallet is verified.')).toBeInTheDocument();
    expect(screen.getByText('Verified')).toBeInTheDocument();
    expect(screen.queryByText('Not verified')).not.toBeInTheDocument();

    expect(api.calls('POST /dashboard/wallet/challenge')).toHaveLength(1);
    const message = api.challenges[0]!.message;
    expect(message).toContain(WALLET);
    expect(request).toHaveBeenCalledWith({ method: 'personal_sign', params: [message, WALLET] });
    expect(api.calls('POST /dashboard/wallet/verify')[0]?.body).toEqual({ message, signature: GOOD_SIGNATURE });
    // The holdings are read again and now say verified.
    await waitFor(() => expect(api.calls('GET /dashboard/nfts').length).toBeGreaterThan(1));
    expect(screen.getByText('Verified')).toBeInTheDocument();
  });

  it('says so when the member declines to sign', async () => {
    mockEthereum({
      personal_sign: () => {
        throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
      },
    });
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await user.click(await screen.findByRole('button', { name: 'Verify wallet' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You declined the signature request.');
    expect(api.calls('POST /dashboard/wallet/verify')).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Verify wallet' })).toBeEnabled();
  });

  it('asks to switch accounts when the extension holds another wallet', async () => {
    mockEthereum({ eth_requestAccounts: () => ['0x0000000000000000000000000000000000000001'] });
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await user.click(await screen.findByRole('button', { name: 'Verify wallet' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(`not on the address ${WALLET}`);
  });

  it('reports a signature the API refuses', async () => {
    mockEthereum({ personal_sign: () => `0x${'cd'.repeat(65)}` });
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await user.click(await screen.findByRole('button', { name: 'Verify wallet' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The signature did not match your wallet');
    expect(within(alert.parentElement!).getByText('Not verified')).toBeInTheDocument();
  });

  it('shows the verified badge without a button for a verified wallet', async () => {
    api.walletVerified = true;
    mockEthereum();
    renderDashboard(<NFTHoldingsGrid />);
    expect(await screen.findByText('Verified')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Verify wallet' })).not.toBeInTheDocument();
  });
});
