import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, CODE_TTL_MS, FakeApi, json } from '../test/fakeApi';
import { orderFixture } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { CheckoutEmailsPanel } from './CheckoutEmailsPanel';
import { OrderHistoryTable } from './OrderHistoryTable';
import { ProfileSection } from './ProfileSection';

const PROFILE = 'demo@babesclub.example';
const GUEST = 'Guest.Babe@example.com';

const panel = () => screen.getByRole('region', { name: 'Checkout emails' });
const emailList = () => within(panel()).getByRole('list', { name: 'Your email addresses' });
const row = (email: string) => within(emailList()).getByText(email, { selector: '.email-list__address' }).closest('li')!;
const addForm = () => within(panel()).getByRole('form', { name: 'Add a checkout email' });
const codeForm = () => within(panel()).getByRole('form', { name: 'Confirm your checkout email' });
const codeField = () => within(codeForm()).getByLabelText('Verification code');

/** wrongCode is a 6-digit code that is not the one mailed. */
function wrongCode(right: string): string {
  return String((Number(right) + 1) % 1_000_000).padStart(6, '0');
}

describe('CheckoutEmailsPanel', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  /** addAddress adds email through the panel's form, as a member does, and waits for the code form. */
  async function addAddress(email = GUEST, ui = <CheckoutEmailsPanel />) {
    const r = renderDashboard(ui);
    await screen.findByRole('list', { name: 'Your email addresses' });
    await r.user.type(within(addForm()).getByLabelText('Email used at checkout'), email);
    await r.user.click(within(addForm()).getByRole('button', { name: 'Add email' }));
    await screen.findByRole('form', { name: 'Confirm your checkout email' });
    return r;
  }

  it('explains itself and lists the profile email first, marked, then the others with their state', async () => {
    api.checkoutEmails = [
      { email: 'old.guest@example.com', verified: true, primary: false, addedAt: '2025-11-01T10:00:00Z', verifiedAt: '2025-11-01T10:05:00Z' },
      { email: 'waiting@example.com', verified: false, primary: false, addedAt: '2025-11-26T10:00:00Z', verifiedAt: null },
    ];
    renderDashboard(<CheckoutEmailsPanel />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your email addresses…');
    const items = within(await screen.findByRole('list', { name: 'Your email addresses' })).getAllByRole('listitem');
    expect(panel()).toHaveTextContent('Used another address at checkout? Add it to see those orders here.');

    expect(items.map((li) => li.querySelector('.email-list__address')?.textContent)).toEqual([
      PROFILE,
      'old.guest@example.com',
      'waiting@example.com',
    ]);
    expect(items[0]).toHaveTextContent('Profile email');
    expect(items[0]).toHaveTextContent('Verified');
    // The profile email changes only through the profile: nothing to do with it here.
    expect(within(items[0]!).queryByRole('button')).not.toBeInTheDocument();

    expect(items[1]).toHaveTextContent('Verified');
    expect(items[1]).not.toHaveTextContent('Profile email');
    expect(within(items[1]!).getAllByRole('button').map((b) => b.textContent)).toEqual(['Remove old.guest@example.com']);

    expect(items[2]).toHaveTextContent('Pending');
    expect(within(items[2]!).getByRole('button', { name: 'Enter code for waiting@example.com' })).toBeInTheDocument();
    expect(within(items[2]!).getByRole('button', { name: 'Remove waiting@example.com' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Confirm your checkout email' })).not.toBeInTheDocument();
  });

  it('adds an address: a code is mailed to it and the code field opens for it, with the focus', async () => {
    await addAddress();
    expect(api.calls('POST /dashboard/emails').map((r) => r.body)).toEqual([{ email: GUEST }]);
    expect(api.sentCodes.map((m) => m.to)).toEqual([GUEST]);
    expect(codeForm().parentElement).toHaveTextContent(`We sent a code to ${GUEST}. Its orders show here once you enter it.`);

    const code = codeField();
    await waitFor(() => expect(code).toHaveFocus());
    expect(code).toHaveAttribute('inputmode', 'numeric');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(code).toHaveAccessibleDescription(expect.stringContaining('The 6 digits from the email. It works until'));
    expect(within(codeForm()).getByRole('button', { name: 'Confirm' })).toBeEnabled();
    expect(within(codeForm()).getByRole('button', { name: 'Send a new code' })).toBeEnabled();

    // The list, read again, has it as pending; the form is empty for the next one.
    await waitFor(() => expect(row(GUEST)).toHaveTextContent('Pending'));
    expect(within(addForm()).getByLabelText('Email used at checkout')).toHaveValue('');
    expect(api.checkoutEmails).toMatchObject([{ email: GUEST, verified: false }]);
  });

  it('checks the address before sending it, and shows what the server refuses', async () => {
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    await screen.findByRole('list', { name: 'Your email addresses' });
    const input = within(addForm()).getByLabelText('Email used at checkout');
    const addButton = within(addForm()).getByRole('button', { name: 'Add email' });

    await user.click(addButton);
    expect(within(addForm()).getByRole('alert')).toHaveTextContent('Enter the email address you used at checkout.');
    await user.type(input, 'not-an-address');
    await user.click(addButton);
    expect(within(addForm()).getByRole('alert')).toHaveTextContent('Must be a valid email address.');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveFocus();
    expect(api.calls('POST /dashboard/emails')).toHaveLength(0);

    // An address that is someone's login email: the server's 409, and nothing is added or mailed.
    await user.clear(input);
    await user.type(input, 'taken@babesclub.example');
    await user.click(addButton);
    expect(await within(addForm()).findByRole('alert')).toHaveTextContent('That email address belongs to another account.');
    expect(input).toHaveAccessibleDescription(expect.stringContaining('That email address belongs to another account.'));
    expect(api.checkoutEmails).toEqual([]);
    expect(api.sentCodes).toEqual([]);
    expect(screen.queryByRole('form', { name: 'Confirm your checkout email' })).not.toBeInTheDocument();

    // Too many mails this hour: the server's sentence and when to try again.
    api.on('POST /dashboard/emails', () =>
      json(429, { error: 'Too many verification emails were sent in the last hour; try again later.', code: 'rate_limited' }, { 'Retry-After': '2520' }),
    );
    await user.clear(input);
    await user.type(input, GUEST);
    await user.click(addButton);
    await waitFor(() =>
      expect(within(addForm()).getByRole('alert')).toHaveTextContent(
        'Too many verification emails were sent in the last hour; try again later. You can try again in about 42 minutes.',
      ),
    );
    expect(api.checkoutEmails).toEqual([]);
  });

  it("shows the server's 400 for a fourth address", async () => {
    api.checkoutEmails = ['a@example.com', 'b@example.com', 'c@example.com'].map((email) => ({
      email,
      verified: true,
      primary: false,
      addedAt: '2025-11-01T10:00:00Z',
      verifiedAt: '2025-11-01T10:05:00Z',
    }));
    // The list was read before another tab added the third address.
    api.on('GET /dashboard/emails', () =>
      json(200, { emails: [{ email: PROFILE, verified: true, primary: true, addedAt: null, verifiedAt: null }, ...api.checkoutEmails.slice(0, 2)] }),
    );
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    await screen.findByRole('list', { name: 'Your email addresses' });
    await user.type(within(addForm()).getByLabelText('Email used at checkout'), 'd@example.com');
    await user.click(within(addForm()).getByRole('button', { name: 'Add email' }));
    expect(await within(addForm()).findByRole('alert')).toHaveTextContent(
      'You can add at most 3 checkout emails; remove one to add another.',
    );
    expect(api.checkoutEmails).toHaveLength(3);
    expect(api.sentCodes).toEqual([]);
    // The list is read again and has the third address; the refusal stays in view.
    await waitFor(() => expect(within(emailList()).getAllByRole('listitem')).toHaveLength(4));
    expect(within(addForm()).getByRole('alert')).toHaveTextContent('You can add at most 3 checkout emails');
    expect(within(addForm()).getByLabelText('Email used at checkout')).toHaveFocus();
  });

  it('shows the limit instead of the form once three addresses are added', async () => {
    api.checkoutEmails = ['a@example.com', 'b@example.com'].map((email) => ({
      email,
      verified: true,
      primary: false,
      addedAt: '2025-11-01T10:00:00Z',
      verifiedAt: '2025-11-01T10:05:00Z',
    }));
    await addAddress('c@example.com');
    await waitFor(() => expect(within(panel()).queryByRole('form', { name: 'Add a checkout email' })).not.toBeInTheDocument());
    expect(panel()).toHaveTextContent('You have added 3 addresses, the most you can. Remove one to add another.');
    // The code form of the third one stays open.
    expect(codeForm()).toBeInTheDocument();
  });

  it("a wrong code shows the server's message and the address stays pending; the right one verifies it", async () => {
    const orders = api.orders.length;
    api.guestOrders.set(GUEST.toLowerCase(), [orderFixture(90, { orderNumber: 'BC-GUEST090', createdAt: '2025-11-30T12:00:00Z', customerEmail: GUEST })]);
    const { user } = await addAddress(
      GUEST,
      <>
        <CheckoutEmailsPanel />
        <OrderHistoryTable />
      </>,
    );
    await screen.findByRole('table');
    expect(screen.queryByRole('button', { name: 'BC-GUEST090' })).not.toBeInTheDocument();
    const right = api.lastCode();

    await user.type(codeField(), wrongCode(right));
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    const alert = await within(codeForm()).findByRole('alert');
    expect(alert).toHaveTextContent('That code is not right; 4 tries left.');
    expect(codeField()).toHaveAttribute('aria-invalid', 'true');
    expect(codeField()).toHaveAccessibleDescription(expect.stringContaining('That code is not right; 4 tries left.'));
    expect(api.calls('POST /dashboard/emails/verify').map((r) => r.body)).toEqual([{ email: GUEST, code: wrongCode(right) }]);
    expect(api.checkoutEmails[0]?.verified).toBe(false);
    expect(row(GUEST)).toHaveTextContent('Pending');

    const orderReads = api.calls('GET /dashboard/orders').length;
    await user.clear(codeField());
    await user.type(codeField(), right);
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));

    const done = await within(panel()).findByText(new RegExp(`^${GUEST.replace('.', '\\.')} is verified\\.`));
    expect(done).toHaveTextContent(`${GUEST} is verified. Orders you placed with it are being added to your order history`);
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());
    expect(screen.queryByRole('form', { name: 'Confirm your checkout email' })).not.toBeInTheDocument();
    expect(api.checkoutEmails[0]?.verified).toBe(true);
    await waitFor(() => expect(row(GUEST)).toHaveTextContent('Verified'));
    expect(row(GUEST)).not.toHaveTextContent('Pending');

    // The orders are read again: the guest order the sync filed is listed.
    expect(await screen.findByRole('button', { name: 'BC-GUEST090' })).toBeInTheDocument();
    expect(api.calls('GET /dashboard/orders').length).toBeGreaterThan(orderReads);
    expect(api.orders).toHaveLength(orders + 1);

    // "Refresh orders" reads them again on request.
    const reads = api.calls('GET /dashboard/orders').length;
    await user.click(within(panel()).getByRole('button', { name: 'Refresh orders' }));
    await waitFor(() => expect(api.calls('GET /dashboard/orders').length).toBeGreaterThan(reads));
  });

  it('asks for the 6 digits without sending anything when the code is too short', async () => {
    const { user } = await addAddress();
    await user.type(codeField(), '12a3');
    expect(codeField()).toHaveValue('123');
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    expect(within(codeForm()).getByRole('alert')).toHaveTextContent('Enter the 6 digits from the email.');
    expect(codeField()).toHaveFocus();
    expect(api.calls('POST /dashboard/emails/verify')).toHaveLength(0);
  });

  it('sends a new code by adding the same address again, and says when to retry once the mails are used up', async () => {
    const { user } = await addAddress();
    const first = api.lastCode();
    await user.click(within(codeForm()).getByRole('button', { name: 'Send a new code' }));
    expect(await within(panel()).findByText(`We sent a new code to ${GUEST}.`)).toBeInTheDocument();
    expect(api.calls('POST /dashboard/emails').map((r) => r.body)).toEqual([{ email: GUEST }, { email: GUEST }]);
    expect(api.sentCodes.map((m) => m.to)).toEqual([GUEST, GUEST]);
    expect(api.lastCode()).not.toBe(first);
    expect(api.checkoutEmails).toHaveLength(1);

    // The code of the first mail no longer works.
    await user.type(codeField(), first);
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    expect(await within(codeForm()).findByRole('alert')).toHaveTextContent('That code is not right');

    api.on('POST /dashboard/emails', () =>
      json(429, { error: 'Too many verification emails were sent in the last hour; try again later.', code: 'rate_limited' }, { 'Retry-After': '2520' }),
    );
    await user.click(within(codeForm()).getByRole('button', { name: 'Send a new code' }));
    const limited = await within(panel()).findByText(/^No new code was sent\./);
    expect(limited).toHaveRole('alert');
    expect(limited).toHaveTextContent(
      'No new code was sent. Too many verification emails were sent in the last hour; try again later. You can try again in about 42 minutes.',
    );
    expect(api.sentCodes).toHaveLength(2);
    expect(codeForm()).toBeInTheDocument();
  });

  it('an expired code says to send a new one, which then works', async () => {
    const { user } = await addAddress();
    api.now = new Date(api.now.getTime() + CODE_TTL_MS);
    await user.type(codeField(), api.lastCode());
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    expect(await within(codeForm()).findByRole('alert')).toHaveTextContent('The code has expired; send a new one to try again.');
    expect(api.checkoutEmails[0]?.verified).toBe(false);

    await user.click(within(codeForm()).getByRole('button', { name: 'Send a new code' }));
    await within(panel()).findByText(`We sent a new code to ${GUEST}.`);
    await user.clear(codeField());
    await user.type(codeField(), api.lastCode());
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    expect(await within(panel()).findByText(/is verified\./)).toBeInTheDocument();
    expect(api.checkoutEmails[0]?.verified).toBe(true);
  });

  it('an address removed elsewhere (404) or verified by another member meanwhile (409) says so', async () => {
    const { user } = await addAddress();
    api.otherMembersCheckoutEmails.add(GUEST.toLowerCase());
    await user.type(codeField(), api.lastCode());
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    expect(await within(codeForm()).findByRole('alert')).toHaveTextContent('Another account verified that email address first.');
    expect(api.checkoutEmails[0]?.verified).toBe(false);

    api.otherMembersCheckoutEmails.clear();
    api.checkoutEmails = [];
    const reads = api.calls('GET /dashboard/emails').length;
    await user.click(within(codeForm()).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(within(codeForm()).getByRole('alert')).toHaveTextContent('You have not added that email address.'));
    // The list is read again, and the address has gone from it.
    await waitFor(() => expect(api.calls('GET /dashboard/emails').length).toBeGreaterThan(reads));
    await waitFor(() => expect(within(emailList()).queryByText(GUEST, { selector: '.email-list__address' })).not.toBeInTheDocument());
  });

  it('opens the code field for an address still pending from before, and "Not now" closes it', async () => {
    api.checkoutEmails = [{ email: 'waiting@example.com', verified: false, primary: false, addedAt: '2025-11-26T10:00:00Z', verifiedAt: null }];
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    const open = await screen.findByRole('button', { name: 'Enter code for waiting@example.com' });
    await user.click(open);
    expect(codeForm().parentElement).toHaveTextContent('We sent a code to waiting@example.com.');
    // No expiry is known after a reload, so none is claimed.
    expect(codeField()).toHaveAccessibleDescription('The 6 digits from the email.');
    await waitFor(() => expect(codeField()).toHaveFocus());
    expect(screen.queryByRole('button', { name: 'Enter code for waiting@example.com' })).not.toBeInTheDocument();

    await user.click(within(codeForm()).getByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('form', { name: 'Confirm your checkout email' })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Enter code for waiting@example.com' })).toHaveFocus());
    expect(api.calls('POST /dashboard/emails')).toHaveLength(0);
    expect(api.calls('POST /dashboard/emails/verify')).toHaveLength(0);
  });

  it('removes an address only after a yes, and keeping it changes nothing', async () => {
    api.checkoutEmails = [
      { email: GUEST, verified: true, primary: false, addedAt: '2025-11-01T10:00:00Z', verifiedAt: '2025-11-01T10:05:00Z' },
    ];
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    const removeButton = await screen.findByRole('button', { name: `Remove ${GUEST}` });

    await user.click(removeButton);
    const ask = within(panel()).getByRole('group', { name: `Remove ${GUEST}?` });
    expect(ask).toHaveTextContent("Orders already in your history stay; new orders with it won't be added.");
    await waitFor(() => expect(within(ask).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.click(within(ask).getByRole('button', { name: 'Keep it' }));
    expect(within(panel()).queryByRole('group')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: `Remove ${GUEST}` })).toHaveFocus());

    // Escape keeps it too.
    await user.click(screen.getByRole('button', { name: `Remove ${GUEST}` }));
    await waitFor(() => expect(within(panel()).getByRole('button', { name: 'Keep it' })).toHaveFocus());
    await user.keyboard('{Escape}');
    expect(within(panel()).queryByRole('group')).not.toBeInTheDocument();
    expect(api.calls(`DELETE /dashboard/emails/${encodeURIComponent(GUEST)}`)).toHaveLength(0);
    expect(api.checkoutEmails).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: `Remove ${GUEST}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    const done = await within(panel()).findByText(`Removed ${GUEST}. Orders already in your history stay.`);
    await waitFor(() => expect(done.closest('[tabindex="-1"]')).toHaveFocus());
    // The address is sent URL-encoded in the path.
    expect(api.calls('DELETE /dashboard/emails/Guest.Babe%40example.com')).toHaveLength(1);
    expect(api.checkoutEmails).toEqual([]);
    expect(within(emailList()).queryByText(GUEST, { selector: '.email-list__address' })).not.toBeInTheDocument();
    expect(within(emailList()).getAllByRole('listitem')).toHaveLength(1);
  });

  it('says why an address was not removed', async () => {
    api.checkoutEmails = [{ email: GUEST, verified: false, primary: false, addedAt: '2025-11-01T10:00:00Z', verifiedAt: null }];
    api.on(`DELETE /dashboard/emails/${encodeURIComponent(GUEST)}`, () => apiError(503, 'upstream_unavailable', 'The store is not answering.'));
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    await user.click(await screen.findByRole('button', { name: `Remove ${GUEST}` }));
    await user.click(within(panel()).getByRole('button', { name: 'Yes, remove' }));
    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent(`${GUEST} was not removed. A service we depend on is not answering right now.`);
    expect(api.checkoutEmails).toHaveLength(1);
    expect(row(GUEST)).toBeInTheDocument();
  });

  it('is part of the profile, and shows the new profile email once an email change is confirmed', async () => {
    const NEW = 'new.babe@babesclub.example';
    const { user } = renderDashboard(<ProfileSection />);
    await screen.findByRole('list', { name: 'Your email addresses' });
    await user.click(await screen.findByRole('button', { name: 'Edit profile' }));
    const form = screen.getByRole('form', { name: 'Edit profile' });
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), NEW);
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    const confirm = await screen.findByRole('form', { name: 'Confirm your new email address' });
    await user.type(within(confirm).getByLabelText('Verification code'), api.lastCode());
    await user.click(within(confirm).getByRole('button', { name: 'Confirm' }));
    await screen.findByText(`Your email address is now ${NEW}.`);

    await waitFor(() => expect(row(NEW)).toHaveTextContent('Profile email'));
    expect(within(emailList()).queryByText(PROFILE, { selector: '.email-list__address' })).not.toBeInTheDocument();
  });

  it('shows an error with a retry when the list cannot be read', async () => {
    api.on('GET /dashboard/emails', () => apiError(500, 'internal', 'Internal error.'));
    const { user } = renderDashboard(<CheckoutEmailsPanel />);
    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent("We couldn't load your email addresses.");
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Your email addresses' })).toBeInTheDocument();
  });
});
