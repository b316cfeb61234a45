import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, json } from '../test/fakeApi';
import { installFakeWallet, messageText, recoverSigner, TEST_ADDRESSES, TEST_KEYS } from '../test/fakeWallet';
import { nftFixture, profileFixture, WALLET } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { useProfile } from '../api/queries';
import { NFTHoldingsGrid } from './NFTHoldingsGrid';
import { WalletsPanel } from './WalletsPanel';

/** ProfileWallet shows the profile's wallet as the dashboard's profile card does, so the profile query is in use. */
function ProfileWallet() {
  const { data } = useProfile();
  return <p data-testid="profile-wallet">{data ? (data.profile.preferredWallet ?? 'none') : 'loading'}</p>;
}
const profileWallet = () => screen.getByTestId('profile-wallet');

const [A0, A1, A2] = TEST_ADDRESSES as [string, string, string];
const [K0, K1] = TEST_KEYS;
const VERIFIED_AT = '2025-11-20T10:00:00Z';
/** Addresses with no known key, for wallets that are only listed. */
const OTHER = ['0x1111111111111111111111111111111111111111', '0x2222222222222222222222222222222222222222', '0x3333333333333333333333333333333333333333'];

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
const panel = () => screen.getByRole('region', { name: 'Wallets' });
const walletList = () => within(panel()).getByRole('list', { name: 'Your wallets' });
const rows = () => within(walletList()).getAllByRole('listitem');
const row = (address: string) => {
  const li = rows().find((r) => r.querySelector(`code[title="${address}"]`) ?? r.querySelector(`code[title="${address.toLowerCase()}"]`));
  if (!li) throw new Error(`no row for ${address}`);
  return li;
};
const nftGrid = () => screen.getByRole('list', { name: 'Your NFTs' });
const nftNames = () => within(nftGrid()).getAllByRole('img').map((i) => i.getAttribute('alt'));

describe('WalletsPanel', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('lists the wallets with their badges, each address shortened with the whole one in title and for screen readers', async () => {
    api.profile = profileFixture({ preferredWallet: WALLET });
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
      { address: A1, verifiedAt: VERIFIED_AT, kind: 'contract' },
    ];
    installFakeWallet([K0]);
    renderDashboard(<WalletsPanel />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your wallets…');
    await screen.findByRole('list', { name: 'Your wallets' });

    const [primary, eoa, smart] = rows() as [HTMLElement, HTMLElement, HTMLElement];
    expect(rows()).toHaveLength(3);
    const code = primary.querySelector('code')!;
    expect(code).toHaveAttribute('title', WALLET);
    expect(within(code).getByText(short(WALLET))).toHaveAttribute('aria-hidden', 'true');
    expect(within(code).getByText(WALLET)).toHaveClass('visually-hidden');

    const badges = (li: HTMLElement) => Array.from(li.querySelectorAll('.badge'), (b) => b.textContent);
    expect(badges(primary)).toEqual(['Primary', 'Not verified']);
    expect(badges(eoa)).toEqual(['Verified']);
    expect(badges(smart)).toEqual(['Verified', 'Smart wallet']);

    // Each button's name says which wallet it acts on (the whole address, hidden from sight).
    const buttons = (li: HTMLElement) => within(li).getAllByRole('button').map((b) => b.textContent);
    expect(buttons(primary)).toEqual([`Verify ${WALLET}`, `Remove ${WALLET}`]);
    expect(buttons(eoa)).toEqual([`Make primary ${A0}`, `Remove ${A0}`]);
    expect(buttons(smart)).toEqual([`Make primary ${A1}`, `Remove ${A1}`]);
    expect(within(primary).getByRole('button', { name: `Verify ${WALLET}` })).toBeInTheDocument();
    expect(within(panel()).getByRole('button', { name: 'Add wallet' })).toBeInTheDocument();
  });

  it('adds a wallet from the browser wallet: connects, signs the exact challenge with that account, verifies, and reads the NFTs again', async () => {
    api.nfts = [nftFixture(1), nftFixture(2, { wallet: A0, tokenName: 'Babe of A0' })];
    const wallet = installFakeWallet([K0]);
    const { user } = renderDashboard(
      <>
        <ProfileWallet />
        <NFTHoldingsGrid />
      </>,
    );
    await screen.findByRole('list', { name: 'Your wallets' });
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001']));
    await waitFor(() => expect(profileWallet()).toHaveTextContent(WALLET));
    const reads = { nfts: api.calls('GET /dashboard/nfts').length, profile: api.calls('GET /dashboard/profile').length };

    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));
    const done = await within(panel()).findByText(`${short(A0)} is added and verified. Its NFTs join your holdings below; this can take a minute.`);
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());

    // The wallet was asked for its accounts, then to sign the message the API issued for that account.
    const methods = wallet.request.mock.calls.map(([r]) => r.method);
    expect(methods).toEqual(['eth_requestAccounts', 'personal_sign']);
    expect(api.calls('POST /dashboard/wallets/challenge').map((r) => r.body)).toEqual([{ address: A0.toLowerCase() }]);
    const message = api.challenges[0]!.message;
    expect(message).toContain(A0);
    const [data, signer] = wallet.request.mock.calls[1]![0].params as [string, string];
    expect(data).toMatch(/^0x[0-9a-f]+$/); // hex of the UTF-8 text, as wallets expect
    expect(messageText(data)).toBe(message);
    expect(signer.toLowerCase()).toBe(A0.toLowerCase());
    const verify = api.calls('POST /dashboard/wallets/verify');
    expect(verify).toHaveLength(1);
    const body = verify[0]!.body as { message: string; signature: string };
    expect(body.message).toBe(message);
    expect(recoverSigner(message, body.signature)).toBe(A0);

    // The list shows it verified; the NFTs were read again and now include its NFT, each card naming its wallet.
    await waitFor(() => expect(row(A0)).toHaveTextContent('Verified'));
    expect(row(A0)).not.toHaveTextContent('Not verified');
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001', 'Babe of A0']));
    expect(api.calls('GET /dashboard/nfts').length).toBeGreaterThan(reads.nfts);
    await waitFor(() => expect(api.calls('GET /dashboard/profile').length).toBeGreaterThan(reads.profile));
    const cards = within(nftGrid()).getAllByRole('listitem');
    expect(cards[0]).toHaveTextContent(`In ${short(WALLET)}`);
    expect(cards[1]).toHaveTextContent(`In ${short(A0)}`);
  });

  it('asks which account to add when the browser wallet shares several, and signs with the chosen one', async () => {
    api.profile = profileFixture({ preferredWallet: A0 });
    api.wallets = [{ address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' }];
    const wallet = installFakeWallet([K0, K1, TEST_KEYS[2]]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));

    const chooser = await within(panel()).findByRole('group', { name: 'Choose the wallet to add' });
    const radios = within(chooser).getAllByRole('radio');
    expect(radios.map((r) => (r as HTMLInputElement).value)).toEqual([A0, A1, A2].map((a) => a.toLowerCase()));
    // A0 is verified already: it cannot be chosen; the first new one is chosen and has the focus.
    expect(radios[0]).toBeDisabled();
    expect(chooser).toHaveTextContent('(already verified)');
    expect(radios[1]).toBeChecked();
    await waitFor(() => expect(radios[1]).toHaveFocus());
    expect(api.calls('POST /dashboard/wallets/challenge')).toHaveLength(0);
    expect(wallet.request).toHaveBeenCalledTimes(1);

    await user.click(radios[2]!);
    await user.click(within(panel()).getByRole('button', { name: 'Sign and add' }));
    await within(panel()).findByText(`${short(A2)} is added and verified. Its NFTs join your holdings below; this can take a minute.`);
    expect(api.calls('POST /dashboard/wallets/challenge').map((r) => r.body)).toEqual([{ address: A2.toLowerCase() }]);
    const sign = wallet.request.mock.calls.map(([r]) => r).find((r) => r.method === 'personal_sign')!;
    expect((sign.params![1] as string).toLowerCase()).toBe(A2.toLowerCase());
    expect(recoverSigner(api.challenges[0]!.message, (api.calls('POST /dashboard/wallets/verify')[0]!.body as { signature: string }).signature)).toBe(A2);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(api.wallets.map((w) => [w.address, w.verifiedAt !== null])).toEqual([
      [A0, true],
      [A2, true],
    ]);
  });

  it('cancels the choice without asking the API anything', async () => {
    installFakeWallet([K0, K1]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));
    await within(panel()).findByRole('group', { name: 'Choose the wallet to add' });
    await user.click(within(panel()).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(panel()).getByRole('button', { name: 'Add wallet' })).toHaveFocus());
    expect(api.calls('POST /dashboard/wallets/challenge')).toHaveLength(0);
  });

  it('verifies an unverified wallet with its own account', async () => {
    api.profile = profileFixture({ preferredWallet: A0 });
    const wallet = installFakeWallet([K0]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    expect(row(A0)).toHaveTextContent('Not verified');

    await user.click(within(row(A0)).getByRole('button', { name: `Verify ${A0}` }));
    await within(panel()).findByText(`${short(A0)} is verified. Its NFTs join your holdings below; this can take a minute.`);
    await waitFor(() => expect(within(row(A0)).queryByRole('button', { name: `Verify ${A0}` })).not.toBeInTheDocument());
    expect(Array.from(row(A0).querySelectorAll('.badge'), (b) => b.textContent)).toEqual(['Primary', 'Verified']);
    expect(api.calls('POST /dashboard/wallets/challenge').map((r) => r.body)).toEqual([{ address: A0 }]);
    expect(wallet.request.mock.calls.map(([r]) => r.method)).toEqual(['eth_requestAccounts', 'personal_sign']);
    expect(api.wallets).toEqual([{ address: A0, verifiedAt: '2025-11-27T00:00:00Z', kind: 'eoa' }]);
  });

  it('proves a smart wallet with its owner and shows it as one', async () => {
    const smart = '0x4444444444444444444444444444444444444444';
    api.profile = profileFixture({ preferredWallet: smart });
    api.smartWallets.set(smart, A1);
    installFakeWallet([{ key: K1, address: smart }]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(row(smart)).getByRole('button', { name: `Verify ${smart}` }));
    await within(panel()).findByText(`${short(smart)} is verified. Its NFTs join your holdings below; this can take a minute.`);
    await waitFor(() => expect(row(smart)).toHaveTextContent('Smart wallet'));
  });

  it('says to switch accounts when the browser wallet does not hold the wallet, and asks the API nothing', async () => {
    api.profile = profileFixture({ preferredWallet: A0 });
    installFakeWallet([K1]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(row(A0)).getByRole('button', { name: `Verify ${A0}` }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(
      `${short(A0)} was not verified. Your wallet is not on ${A0}. Switch to that account in your wallet and try again.`,
    );
    expect(api.calls('POST /dashboard/wallets/challenge')).toHaveLength(0);
    expect(row(A0)).toHaveTextContent('Not verified');
  });

  it('keeps a declined signature from verifying anything, and says the wallet is listed but not verified', async () => {
    installFakeWallet([K0], {
      personal_sign: () => {
        throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
      },
    });
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(
      // The wallet's lower-case address: the API's checksummed form is not known yet.
      `${short(A0.toLowerCase())} is on your list, but not verified. You declined the signature request.`,
    );
    expect(api.calls('POST /dashboard/wallets/verify')).toHaveLength(0);
    // The challenge added it unverified: the list, read again, shows it so.
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(row(A0)).toHaveTextContent('Not verified');
  });

  it("shows the server's 409 when another member verified the wallet, and changes nothing", async () => {
    api.otherMembersWallets.add(A0.toLowerCase());
    installFakeWallet([K0]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));
    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent(`${short(A0.toLowerCase())} was not added. That wallet is verified by another member.`);
    await waitFor(() => expect(alert).toHaveFocus());
    expect(api.calls('POST /dashboard/wallets/verify')).toHaveLength(0);
    expect(api.wallets.map((w) => w.address)).toEqual([WALLET]);
    expect(rows()).toHaveLength(1);
  });

  it("shows the server's 409 at the verify step too (verified elsewhere meanwhile)", async () => {
    api.profile = profileFixture({ preferredWallet: A0 });
    installFakeWallet([K0]);
    api.on('POST /dashboard/wallets/verify', () => apiError(409, 'conflict', 'Another member verified this wallet first.'));
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(row(A0)).getByRole('button', { name: `Verify ${A0}` }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(`${short(A0)} was not verified. Another member verified this wallet first.`);
    expect(row(A0)).toHaveTextContent('Not verified');
  });

  it("shows the server's 400, 429 and 503 messages", async () => {
    api.profile = profileFixture({ preferredWallet: A0 });
    installFakeWallet([K0]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    const verifyButton = () => within(row(A0)).getByRole('button', { name: `Verify ${A0}` });

    api.on('POST /dashboard/wallets/verify', () =>
      apiError(400, 'validation_failed', 'The wallet signature could not be verified.', { signature: 'The signature was not made by this wallet.' }),
    );
    await user.click(verifyButton());
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(
      `${short(A0)} was not verified. The wallet signature could not be verified. The signature was not made by this wallet.`,
    );

    api.on('POST /dashboard/wallets/challenge', () =>
      json(429, { error: 'Too many wallet challenges; slow down.', code: 'rate_limited' }, { 'Retry-After': '90' }),
    );
    await user.click(verifyButton());
    await waitFor(() =>
      expect(within(panel()).getByRole('alert')).toHaveTextContent(
        `${short(A0)} was not verified. Too many wallet challenges; slow down. You can try again in about 2 minutes.`,
      ),
    );

    api.on('POST /dashboard/wallets/verify', () =>
      json(503, { error: 'The Ethereum node could not be reached to check a smart wallet.', code: 'upstream_unavailable' }, { 'Retry-After': '30' }),
    );
    await user.click(verifyButton());
    await waitFor(() =>
      expect(within(panel()).getByRole('alert')).toHaveTextContent(
        `${short(A0)} was not verified. The Ethereum node could not be reached to check a smart wallet. You can try again in 30 seconds.`,
      ),
    );
    expect(api.wallets[0]!.verifiedAt).toBeNull();
  });

  it('makes another wallet the primary one in one click when the current primary is verified, and reads wallets, profile and NFTs again', async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: VERIFIED_AT, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    api.nfts = [nftFixture(1), nftFixture(2, { wallet: A0, tokenName: 'Babe of A0' })];
    const { user } = renderDashboard(
      <>
        <ProfileWallet />
        <NFTHoldingsGrid />
      </>,
    );
    await screen.findByRole('list', { name: 'Your wallets' });
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001', 'Babe of A0']));
    await waitFor(() => expect(profileWallet()).toHaveTextContent(WALLET));
    const before = { wallets: api.calls('GET /dashboard/wallets').length, nfts: api.calls('GET /dashboard/nfts').length };

    await user.click(within(row(A0)).getByRole('button', { name: `Make primary ${A0}` }));
    // No question: nothing is removed.
    const done = await within(panel()).findByText(`${short(A0)} is now your primary wallet.`);
    expect(within(panel()).queryByRole('group')).not.toBeInTheDocument();
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());

    const put = api.calls('PUT /dashboard/profile');
    expect(put.map((r) => r.body)).toEqual([{ preferredWallet: A0 }]);
    expect(put[0]!.headers.get('If-Match')).toBeNull();
    expect(api.profile.preferredWallet).toBe(A0);
    await waitFor(() => expect(profileWallet()).toHaveTextContent(A0));
    await waitFor(() => expect(Array.from(row(A0).querySelectorAll('.badge'), (b) => b.textContent)).toEqual(['Primary', 'Verified']));
    // The old primary was proven: it stays, holding.
    expect(Array.from(row(WALLET).querySelectorAll('.badge'), (b) => b.textContent)).toEqual(['Verified']);
    expect(within(row(WALLET)).getByRole('button', { name: `Make primary ${WALLET}` })).toBeInTheDocument();
    expect(api.wallets.map((w) => w.address)).toEqual([WALLET, A0]);
    await waitFor(() => expect(api.calls('GET /dashboard/wallets').length).toBeGreaterThan(before.wallets));
    await waitFor(() => expect(api.calls('GET /dashboard/nfts').length).toBeGreaterThan(before.nfts));
    expect(nftNames()).toEqual(['Babe #0001', 'Babe of A0']);
  });

  it('asks before making another wallet the primary when the current primary is unverified, which removes it with its NFTs', async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    api.nfts = [nftFixture(1), nftFixture(2, { wallet: A0, tokenName: 'Babe of A0' })];
    const { user } = renderDashboard(
      <>
        <ProfileWallet />
        <NFTHoldingsGrid />
      </>,
    );
    await screen.findByRole('list', { name: 'Your wallets' });
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001', 'Babe of A0']));
    await waitFor(() => expect(profileWallet()).toHaveTextContent(WALLET));
    const makePrimary = () => within(row(A0)).getByRole('button', { name: `Make primary ${A0}` });

    // Asked first, naming the wallet that would go; "Keep it" sends nothing and gives the focus back.
    await user.click(makePrimary());
    const ask = within(panel()).getByRole('group', { name: `Make ${A0} your primary wallet?` });
    expect(ask).toHaveTextContent(
      `Your current primary wallet, ${short(WALLET)}${WALLET}, is not verified, so it will be removed and its NFTs leave your holdings now. To keep it, verify it first.`,
    );
    await waitFor(() => expect(within(ask).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.click(within(ask).getByRole('button', { name: 'Keep it' }));
    await waitFor(() => expect(makePrimary()).toHaveFocus());
    expect(within(panel()).queryByRole('group')).not.toBeInTheDocument();
    // Escape keeps it too.
    await user.click(makePrimary());
    await waitFor(() => expect(within(panel()).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(makePrimary()).toHaveFocus());
    expect(api.calls('PUT /dashboard/profile')).toHaveLength(0);
    expect(api.profile.preferredWallet).toBe(WALLET);
    expect(api.wallets).toHaveLength(2);

    // Yes: one profile update; the old primary is gone from the list and its NFT from the holdings.
    await user.click(makePrimary());
    await user.click(within(panel()).getByRole('button', { name: 'Yes, make primary' }));
    const done = await within(panel()).findByText(`${short(A0)} is now your primary wallet; ${short(WALLET)} was removed.`);
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());
    expect(api.calls('PUT /dashboard/profile').map((r) => r.body)).toEqual([{ preferredWallet: A0 }]);
    expect(api.profile.preferredWallet).toBe(A0);
    expect(api.wallets.map((w) => w.address)).toEqual([A0]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(Array.from(row(A0).querySelectorAll('.badge'), (b) => b.textContent)).toEqual(['Primary', 'Verified']);
    await waitFor(() => expect(profileWallet()).toHaveTextContent(A0));
    await waitFor(() => expect(nftNames()).toEqual(['Babe of A0']));
  });

  it('says so when making a wallet the primary fails after asking, and nothing changes', async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    api.on('PUT /dashboard/profile', () => json(503, { error: 'The service is busy.', code: 'unavailable' }, { 'Retry-After': '30' }));
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await user.click(within(row(A0)).getByRole('button', { name: `Make primary ${A0}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, make primary' }));
    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent(`${short(A0)} was not made your primary wallet. The service is busy.`);
    await waitFor(() => expect(alert).toHaveFocus());
    expect(within(panel()).queryByRole('group')).not.toBeInTheDocument();
    expect(api.calls('PUT /dashboard/profile')).toHaveLength(1);
    expect(api.wallets.map((w) => w.address)).toEqual([WALLET, A0]);
    expect(rows()).toHaveLength(2);
    expect(row(WALLET)).toHaveTextContent('Primary');
  });

  it('removes a wallet only after asking, and its NFTs leave the holdings', async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    api.nfts = [nftFixture(1), nftFixture(2, { wallet: A0, tokenName: 'Babe of A0' })];
    const { user } = renderDashboard(<NFTHoldingsGrid />);
    await screen.findByRole('list', { name: 'Your wallets' });
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001', 'Babe of A0']));

    // Asked first; "Keep it" (and Escape) keep it, the focus back on its Remove button.
    await user.click(within(row(A0)).getByRole('button', { name: `Remove ${A0}` }));
    const ask = within(panel()).getByRole('group', { name: `Remove ${A0}?` });
    expect(ask).toHaveTextContent('Its NFTs leave your holdings now. You can add it again by signing with it.');
    await waitFor(() => expect(within(ask).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(within(row(A0)).getByRole('button', { name: `Remove ${A0}` })).toHaveFocus());
    expect(api.calls(`DELETE /dashboard/wallets/${A0}`)).toHaveLength(0);
    expect(api.wallets).toHaveLength(2);

    await user.click(within(row(A0)).getByRole('button', { name: `Remove ${A0}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    const done = await within(panel()).findByText(`Removed ${short(A0)}. Its NFTs are no longer shown.`);
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());
    expect(api.calls(`DELETE /dashboard/wallets/${A0}`)).toHaveLength(1);
    expect(rows()).toHaveLength(1);
    await waitFor(() => expect(nftNames()).toEqual(['Babe #0001']));
  });

  it('says what removing the primary wallet means, and the profile loses it', async () => {
    const { user } = renderDashboard(
      <>
        <ProfileWallet />
        <WalletsPanel />
      </>,
    );
    await screen.findByRole('list', { name: 'Your wallets' });
    await waitFor(() => expect(profileWallet()).toHaveTextContent(WALLET));
    await user.click(within(row(WALLET)).getByRole('button', { name: `Remove ${WALLET}` }));
    expect(within(panel()).getByRole('group', { name: `Remove ${WALLET}?` })).toHaveTextContent(
      'you will have no primary wallet until you choose one',
    );
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    await within(panel()).findByText('No wallets yet.');
    expect(api.profile.preferredWallet).toBeNull();
    await waitFor(() => expect(profileWallet()).toHaveTextContent('none'));
  });

  it("shows the server's 404 when the wallet was removed elsewhere, and reads the list again", async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    api.wallets = api.wallets.filter((w) => w.address !== A0); // another tab removed it
    await user.click(within(row(A0)).getByRole('button', { name: `Remove ${A0}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(`${short(A0)} was not removed. You have no such wallet.`);
    await waitFor(() => expect(rows()).toHaveLength(1));
  });

  it('without a browser wallet explains how to get one, offers no Verify or Add, and still manages the list', async () => {
    api.wallets = [
      { address: WALLET, verifiedAt: null, kind: 'eoa' },
      { address: A0, verifiedAt: VERIFIED_AT, kind: 'eoa' },
    ];
    renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    expect(panel()).toHaveTextContent(
      'To add or verify a wallet, this browser needs a wallet extension such as MetaMask, Coinbase Wallet or Rabby. Install one, add your wallet to it, then reload this page.',
    );
    expect(panel()).toHaveTextContent('enter it as the wallet address in your profile (Edit profile → Wallet address)');
    expect(within(panel()).queryByRole('button', { name: 'Add wallet' })).not.toBeInTheDocument();
    expect(within(panel()).queryByRole('button', { name: /^Verify/ })).not.toBeInTheDocument();
    expect(within(row(A0)).getByRole('button', { name: `Make primary ${A0}` })).toBeInTheDocument();
    expect(within(row(WALLET)).getByRole('button', { name: `Remove ${WALLET}` })).toBeInTheDocument();
  });

  it('at 5 wallets explains the limit instead of offering Add wallet', async () => {
    api.wallets = [WALLET, A0, ...OTHER].map((address) => ({ address, verifiedAt: VERIFIED_AT, kind: 'eoa' as const }));
    installFakeWallet([K1]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    expect(rows()).toHaveLength(5);
    expect(panel()).toHaveTextContent('You have 5 wallets, the most you can. Remove one to add another.');
    expect(within(panel()).queryByRole('button', { name: 'Add wallet' })).not.toBeInTheDocument();

    // One fewer: Add wallet is back.
    await user.click(within(row(OTHER[2]!)).getByRole('button', { name: `Remove ${OTHER[2]}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    expect(await within(panel()).findByRole('button', { name: 'Add wallet' })).toBeInTheDocument();
    expect(panel()).not.toHaveTextContent('the most you can');
  });

  it("shows the server's 400 when a fifth wallet was added elsewhere meanwhile, and adds nothing", async () => {
    api.wallets = [WALLET, ...OTHER].map((address) => ({ address, verifiedAt: VERIFIED_AT, kind: 'eoa' as const }));
    installFakeWallet([K0]);
    const { user } = renderDashboard(<WalletsPanel />);
    await screen.findByRole('list', { name: 'Your wallets' });
    api.wallets.push({ address: A1, verifiedAt: VERIFIED_AT, kind: 'eoa' }); // another tab
    await user.click(within(panel()).getByRole('button', { name: 'Add wallet' }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(
      `${short(A0.toLowerCase())} was not added. You can have at most 5 wallets; remove one to add another.`,
    );
    expect(api.wallets).toHaveLength(5);
    expect(api.calls('POST /dashboard/wallets/verify')).toHaveLength(0);
  });
});
