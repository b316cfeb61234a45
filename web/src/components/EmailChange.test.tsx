import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { CODE_TTL_MS, FakeApi, json } from '../test/fakeApi';
import { profileFixture } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { ProfileSection } from './ProfileSection';

const OLD = 'demo@babesclub.example';
const NEW = 'new.babe@babesclub.example';

/** The pending change's panel: its form is named by the panel's heading. */
const panel = () => screen.getByRole('form', { name: 'Confirm your new email address' });
const codeField = () => within(panel()).getByLabelText('Verification code');
/** The email line under the member's name on the profile card. */
const cardEmail = () => screen.getByRole('heading', { level: 3, name: 'Demo Babe' }).nextElementSibling;

/** wrongCode is a 6-digit code that is not the one mailed. */
function wrongCode(right: string): string {
  return String((Number(right) + 1) % 1_000_000).padStart(6, '0');
}

describe('EmailChange', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  /** startChange saves a new email through the profile form, as a member does. */
  async function startChange() {
    const r = renderDashboard(<ProfileSection />);
    await r.user.click(await screen.findByRole('button', { name: 'Edit profile' }));
    const form = screen.getByRole('form', { name: 'Edit profile' });
    await r.user.clear(within(form).getByLabelText('Email'));
    await r.user.type(within(form).getByLabelText('Email'), NEW);
    await r.user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByRole('form', { name: 'Confirm your new email address' });
    return r;
  }

  it('shows a new email as pending, with a code field that has the focus, while the email stays the old one', async () => {
    await startChange();

    expect(api.calls('PUT /dashboard/profile')[0]?.body).toEqual({ email: NEW });
    expect(api.sentCodes.map((m) => m.to)).toEqual([NEW]);
    const box = panel().parentElement!;
    expect(box).toHaveTextContent(`We sent a code to ${NEW}; your email stays ${OLD} until you enter it.`);
    expect(cardEmail()).toHaveTextContent(OLD);

    const code = codeField();
    expect(code).toHaveAttribute('inputmode', 'numeric');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(code).toHaveAccessibleDescription(expect.stringContaining('The 6 digits from the email. It works until'));
    await waitFor(() => expect(code).toHaveFocus());
    expect(within(panel()).getByRole('button', { name: 'Confirm' })).toBeEnabled();
    expect(within(panel()).getByRole('button', { name: 'Send a new code' })).toBeEnabled();
    expect(screen.queryByRole('form', { name: 'Edit profile' })).not.toBeInTheDocument();
  });

  it('shows a pending change the server reports, so it survives a reload', async () => {
    api.profile = profileFixture({ pendingEmail: NEW, pendingEmailExpiresAt: '2025-11-27T00:15:00Z' });
    const { user } = renderDashboard(<ProfileSection />);
    await screen.findByRole('form', { name: 'Confirm your new email address' });
    expect(panel().parentElement).toHaveTextContent(`We sent a code to ${NEW}; your email stays ${OLD} until you enter it.`);
    expect(cardEmail()).toHaveTextContent(OLD);

    // The edit form says a change is waiting, and still holds the current address.
    await user.click(screen.getByRole('button', { name: 'Edit profile' }));
    const email = within(screen.getByRole('form', { name: 'Edit profile' })).getByLabelText('Email');
    expect(email).toHaveValue(OLD);
    expect(email).toHaveAccessibleDescription(`A code is waiting to confirm ${NEW}. Saving another address replaces that change.`);
  });

  it("shows the server's message for a wrong code, and the change stays pending", async () => {
    const { user } = await startChange();
    const right = api.lastCode();
    await user.type(codeField(), wrongCode(right));
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));

    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent('That code is not right; 4 tries left.');
    expect(codeField()).toHaveAttribute('aria-invalid', 'true');
    expect(codeField()).toHaveAccessibleDescription(expect.stringContaining('That code is not right; 4 tries left.'));
    expect(api.calls('POST /dashboard/profile/email/verify').map((r) => r.body)).toEqual([{ code: wrongCode(right) }]);
    expect(api.profile.email).toBe(OLD);
    expect(api.profile.pendingEmail).toBe(NEW);
    expect(cardEmail()).toHaveTextContent(OLD);

    // The right code still works after a wrong one.
    await user.clear(codeField());
    await user.type(codeField(), right);
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText(`Your email address is now ${NEW}.`)).toBeInTheDocument();
  });

  it('asks for the 6 digits without sending anything when the code is too short, and keeps only digits', async () => {
    const { user } = await startChange();
    await user.type(codeField(), '12a3');
    expect(codeField()).toHaveValue('123');
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));
    expect(within(panel()).getByRole('alert')).toHaveTextContent('Enter the 6 digits from the email.');
    expect(codeField()).toHaveFocus();
    expect(api.calls('POST /dashboard/profile/email/verify')).toHaveLength(0);
  });

  it('an expired code voids the change: it says to ask again, the pending note goes and the email stays', async () => {
    const { user } = await startChange();
    const right = api.lastCode();
    api.now = new Date(api.now.getTime() + CODE_TTL_MS);
    const reads = api.calls('GET /dashboard/profile').length;
    await user.type(codeField(), right);
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your email address was not changed.');
    expect(alert).toHaveTextContent('The code has expired; change your email again to get a new one.');
    await waitFor(() => expect(alert).toHaveFocus());
    expect(screen.queryByRole('form', { name: 'Confirm your new email address' })).not.toBeInTheDocument();
    expect(screen.queryByText(/We sent a code to/)).not.toBeInTheDocument();
    expect(cardEmail()).toHaveTextContent(OLD);
    expect(api.profile.email).toBe(OLD);
    expect(api.profile.pendingEmail).toBeUndefined();

    // Voiding gave the profile a new version: it is read again, so the next save is not refused (412).
    await waitFor(() => expect(api.calls('GET /dashboard/profile').length).toBeGreaterThan(reads));
    await user.click(screen.getByRole('button', { name: 'Edit profile' }));
    const form = screen.getByRole('form', { name: 'Edit profile' });
    await user.clear(within(form).getByLabelText('Display name'));
    await user.type(within(form).getByLabelText('Display name'), 'Rose Babe');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Profile saved.')).toBeInTheDocument();
    expect(api.profile.displayName).toBe('Rose Babe');
  });

  it('the right code changes the email, the pending note disappears and focus moves to the result', async () => {
    const { user } = await startChange();
    const right = api.lastCode();
    // Pasted with a space, as some mail apps copy it.
    await user.click(codeField());
    await user.paste(`${right.slice(0, 3)} ${right.slice(3)}`);
    expect(codeField()).toHaveValue(right);
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));

    const done = await screen.findByText(`Your email address is now ${NEW}.`);
    await waitFor(() => expect(done).toHaveFocus());
    expect(cardEmail()).toHaveTextContent(NEW);
    expect(screen.queryByRole('form', { name: 'Confirm your new email address' })).not.toBeInTheDocument();
    expect(screen.queryByText(/We sent a code to/)).not.toBeInTheDocument();
    expect(api.calls('POST /dashboard/profile/email/verify').map((r) => r.body)).toEqual([{ code: right }]);
    expect(api.profile.email).toBe(NEW);
    expect(api.profile.pendingEmail).toBeUndefined();
  });

  it('sends a new code on request (the old one stops working), and says when to retry once the mails are used up', async () => {
    const { user } = await startChange();
    const first = api.lastCode();
    await user.click(within(panel()).getByRole('button', { name: 'Send a new code' }));

    expect(await screen.findByText(`We sent a new code to ${NEW}. Codes in earlier emails no longer work.`)).toBeInTheDocument();
    const resend = api.calls('PUT /dashboard/profile')[1];
    expect(resend?.body).toEqual({ email: NEW });
    expect(resend?.headers.has('If-Match')).toBe(false);
    expect(api.sentCodes.map((m) => m.to)).toEqual([NEW, NEW]);
    expect(api.lastCode()).not.toBe(first);

    await user.type(codeField(), first);
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));
    expect(await within(panel()).findByRole('alert')).toHaveTextContent('That code is not right');

    api.on('PUT /dashboard/profile', () =>
      json(429, { error: 'Too many verification emails were sent in the last hour; try again later.', code: 'rate_limited' }, { 'Retry-After': '2520' }),
    );
    await user.click(within(panel()).getByRole('button', { name: 'Send a new code' }));
    const limited = await screen.findByText(/^No new code was sent\./);
    expect(limited).toHaveRole('alert');
    expect(limited).toHaveTextContent(
      'No new code was sent. Too many verification emails were sent in the last hour; try again later. You can try again in about 42 minutes.',
    );
    expect(api.sentCodes).toHaveLength(2);
    // Still pending, with the newest code.
    expect(panel().parentElement).toHaveTextContent(`We sent a code to ${NEW}`);
  });

  it('an address another member took meanwhile (409) ends the change and says so', async () => {
    const { user } = await startChange();
    api.otherMembersEmails.add(NEW);
    await user.type(codeField(), api.lastCode());
    await user.click(within(panel()).getByRole('button', { name: 'Confirm' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your email address was not changed.');
    expect(alert).toHaveTextContent('That email address is already in use. Choose another address.');
    expect(screen.queryByRole('form', { name: 'Confirm your new email address' })).not.toBeInTheDocument();
    expect(cardEmail()).toHaveTextContent(OLD);
    expect(api.profile.email).toBe(OLD);
  });

  it('a new address already taken when saved (409) is shown on the form and nothing is pending', async () => {
    const r = renderDashboard(<ProfileSection />);
    await r.user.click(await screen.findByRole('button', { name: 'Edit profile' }));
    const form = screen.getByRole('form', { name: 'Edit profile' });
    await r.user.clear(within(form).getByLabelText('Email'));
    await r.user.type(within(form).getByLabelText('Email'), 'taken@babesclub.example');
    await r.user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('That email address is already in use.');
    expect(within(form).getByLabelText('Email')).toHaveAccessibleDescription(expect.stringContaining('Already in use by another member.'));
    expect(screen.queryByRole('form', { name: 'Confirm your new email address' })).not.toBeInTheDocument();
    expect(api.sentCodes).toHaveLength(0);
  });
});
