import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ProfileUpdate } from '../api/types';
import { apiError, FakeApi } from '../test/fakeApi';
import { profileFixture } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { ProfileSection } from './ProfileSection';

async function openForm() {
  const r = renderDashboard(<ProfileSection />);
  await r.user.click(await screen.findByRole('button', { name: 'Edit profile' }));
  const form = screen.getByRole('form', { name: 'Edit profile' });
  return { ...r, form };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ProfileEditForm', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('opens with the current values and focus in the first field', async () => {
    const { form } = await openForm();
    const name = within(form).getByLabelText('Display name');
    expect(name).toHaveValue('Demo Babe');
    expect(name).toHaveFocus();
    expect(within(form).getByLabelText('Email')).toHaveValue('demo@babesclub.example');
    expect(within(form).getByRole('group', { name: 'Shipping address' })).toBeInTheDocument();
    expect(within(form).getByLabelText('Billing address same as shipping')).toBeChecked();
    expect(within(form).queryByRole('group', { name: 'Billing address' })).not.toBeInTheDocument();
  });

  it("checks the server's rules before sending and shows each error next to its field", async () => {
    const { form, user } = await openForm();
    const field = (label: string) => within(form).getByLabelText(label);
    await user.clear(field('Display name'));
    await user.clear(field('Email'));
    await user.type(field('Email'), 'not-an-email');
    await user.clear(field('Phone (optional)'));
    await user.type(field('Phone (optional)'), 'call me');
    await user.clear(field('Avatar image URL (optional)'));
    await user.type(field('Avatar image URL (optional)'), 'http://example.com/a.png');
    await user.clear(field('Wallet address (optional)'));
    await user.type(field('Wallet address (optional)'), '0x1234');
    const shipping = within(form).getByRole('group', { name: 'Shipping address' });
    await user.clear(within(shipping).getByLabelText('City'));
    await user.clear(within(shipping).getByLabelText('Country code'));
    await user.type(within(shipping).getByLabelText('Country code'), 'zz');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(within(form).getByRole('alert')).toHaveTextContent('Please fix the 7 highlighted fields before saving.');
    expect(field('Display name')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Display name')).toHaveAccessibleDescription(expect.stringContaining('Must be 1 to 80 characters.'));
    expect(field('Email')).toHaveAccessibleDescription(expect.stringContaining('Must be a valid email address.'));
    expect(field('Phone (optional)')).toHaveAccessibleDescription(expect.stringContaining('Must be up to 20 characters'));
    expect(field('Avatar image URL (optional)')).toHaveAccessibleDescription(expect.stringContaining('Must be an https URL'));
    expect(field('Wallet address (optional)')).toHaveAccessibleDescription(expect.stringContaining('0x followed by 40 hex digits'));
    expect(within(shipping).getByLabelText('City')).toHaveAccessibleDescription('Required.');
    expect(within(shipping).getByLabelText('Country code')).toHaveAccessibleDescription(expect.stringContaining('two-letter ISO country code'));
    await waitFor(() => expect(field('Display name')).toHaveFocus());
    expect(api.calls('PUT /dashboard/profile')).toHaveLength(0);
  });

  it('sends only the changed fields, with If-Match, and copies shipping to billing', async () => {
    const { form, user } = await openForm();
    await user.clear(within(form).getByLabelText('Display name'));
    await user.type(within(form).getByLabelText('Display name'), 'Rose Babe');
    const shipping = within(form).getByRole('group', { name: 'Shipping address' });
    await user.clear(within(shipping).getByLabelText('City'));
    await user.type(within(shipping).getByLabelText('City'), 'San Diego');
    await user.clear(within(form).getByLabelText('Phone (optional)'));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Profile saved.')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Edit profile' })).not.toBeInTheDocument();
    const put = api.calls('PUT /dashboard/profile')[0];
    expect(put?.headers.get('If-Match')).toBe('"2025-11-26T21:28:24.123Z"');
    const address = {
      name: 'Demo Babe',
      line1: '1 Sparkle Street',
      line2: 'Apt 4',
      city: 'San Diego',
      state: 'CA',
      postalCode: '90001',
      country: 'US',
    };
    expect(put?.body).toEqual({ displayName: 'Rose Babe', phone: null, shippingAddress: address, billingAddress: address });
    expect(screen.getByRole('heading', { name: 'Rose Babe' })).toBeInTheDocument();
    // Focus goes back to the button that opened the form.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Edit profile' })).toHaveFocus());
  });

  it('keeps a separate billing address when "same as shipping" is unchecked', async () => {
    api.profile = profileFixture({ billingAddress: null, shippingAddress: null });
    const { form, user } = await openForm();
    // Both unset counts as "the same"; uncheck to enter a billing address only.
    await user.click(within(form).getByLabelText('Billing address same as shipping'));
    const billing = within(form).getByRole('group', { name: 'Billing address' });
    await user.type(within(billing).getByLabelText('Address line 1'), '9 Invoice Way');
    await user.type(within(billing).getByLabelText('City'), 'London');
    await user.type(within(billing).getByLabelText('State / region'), 'London');
    await user.type(within(billing).getByLabelText('Postal code'), 'N1 9GU');
    await user.type(within(billing).getByLabelText('Country code'), 'gb');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Profile saved.');
    const body = api.calls('PUT /dashboard/profile')[0]?.body as ProfileUpdate;
    expect(body).toEqual({
      billingAddress: { name: null, line1: '9 Invoice Way', line2: null, city: 'London', state: 'London', postalCode: 'N1 9GU', country: 'GB' },
    });
  });

  it("shows the new values at once, and on failure restores the old ones and shows the server's field errors", async () => {
    const { form, user } = await openForm();
    const gate = deferred<Response>();
    api.on('PUT /dashboard/profile', () => gate.promise);
    await user.clear(within(form).getByLabelText('Display name'));
    await user.type(within(form).getByLabelText('Display name'), 'Rose Babe');
    const shipping = within(form).getByRole('group', { name: 'Shipping address' });
    await user.clear(within(shipping).getByLabelText('City'));
    await user.type(within(shipping).getByLabelText('City'), 'Atlantis');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    // Optimistic: the card already shows the new name while the save is in flight.
    expect(await screen.findByRole('heading', { name: 'Rose Babe' })).toBeInTheDocument();
    expect(within(form).getByRole('button', { name: 'Saving…' })).toBeDisabled();

    gate.resolve(
      apiError(400, 'validation_failed', 'Invalid fields: displayName, shippingAddress.city.', {
        displayName: 'That name is reserved.',
        'shippingAddress.city': 'Unknown city.',
        'billingAddress.city': 'Unknown city.',
      }),
    );

    // Rolled back: the card shows the saved profile again.
    expect(await screen.findByRole('heading', { name: 'Demo Babe' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Rose Babe' })).not.toBeInTheDocument();
    // The form keeps what the member typed, with the server's errors beside the fields.
    expect(within(form).getByLabelText('Display name')).toHaveValue('Rose Babe');
    expect(within(form).getByLabelText('Display name')).toHaveAccessibleDescription(expect.stringContaining('That name is reserved.'));
    expect(within(shipping).getByLabelText('City')).toHaveAccessibleDescription('Unknown city.');
    expect(within(form).getByRole('alert')).toHaveTextContent('Your changes were not saved.');
    expect(within(form).getByRole('button', { name: 'Save changes' })).toBeEnabled();
  });

  it('says the profile changed elsewhere on 412 and reloads it on request', async () => {
    const { form, user } = await openForm();
    // Another device saves in the meantime.
    api.profile = profileFixture({ displayName: 'Changed Elsewhere', updatedAt: '2025-11-26T22:00:00.000Z' });
    await user.clear(within(form).getByLabelText('Display name'));
    await user.type(within(form).getByLabelText('Display name'), 'Rose Babe');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('changed somewhere else');
    expect(api.calls('PUT /dashboard/profile')[0]?.headers.get('If-Match')).toBe('"2025-11-26T21:28:24.123Z"');
    await user.click(within(alert).getByRole('button', { name: 'Reload profile' }));
    await waitFor(() => expect(within(form).getByLabelText('Display name')).toHaveValue('Changed Elsewhere'));
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();

    // Saving again uses the new version.
    await user.clear(within(form).getByLabelText('Display name'));
    await user.type(within(form).getByLabelText('Display name'), 'Rose Babe');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Profile saved.');
    expect(api.calls('PUT /dashboard/profile')[1]?.headers.get('If-Match')).toBe('"2025-11-26T22:00:00.000Z"');
  });

  it('shows a taken email (409) next to the email field', async () => {
    const { form, user } = await openForm();
    api.on('PUT /dashboard/profile', () =>
      apiError(409, 'conflict', 'That email address belongs to another member.', { email: 'Already in use by another member.' }),
    );
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), 'taken@babesclub.example');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() =>
      expect(within(form).getByLabelText('Email')).toHaveAccessibleDescription(expect.stringContaining('Already in use by another member.')),
    );
    expect(within(form).getByRole('alert')).toHaveTextContent('That email address belongs to another member.');
  });

  it('sends no If-Match for a profile that was never saved', async () => {
    api.profile = profileFixture({ createdAt: null, updatedAt: null, phone: null });
    const r = renderDashboard(<ProfileSection />);
    await r.user.click(await screen.findByRole('button', { name: 'Complete your profile' }));
    const form = screen.getByRole('form', { name: 'Edit profile' });
    await r.user.type(within(form).getByLabelText('Phone (optional)'), '+44 20 7946 0000');
    await r.user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Profile saved.');
    const put = api.calls('PUT /dashboard/profile')[0];
    expect(put?.headers.has('If-Match')).toBe(false);
    expect(put?.body).toEqual({ phone: '+44 20 7946 0000' });
  });

  it('closes without a request when nothing changed, and on Cancel', async () => {
    const { form, user } = await openForm();
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('There were no changes to save.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Edit profile' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: 'Edit profile' })).not.toBeInTheDocument();
    expect(api.calls('PUT /dashboard/profile')).toHaveLength(0);
  });

  it('tells the member that a new email waits for the code mailed to it', async () => {
    const { form, user } = await openForm();
    expect(within(form).getByLabelText('Email')).toHaveAccessibleDescription(
      'A new address takes effect once you enter the code we email to it.',
    );
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), 'new@babesclub.example');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(
      await screen.findByText('Profile saved. To confirm your new email address, enter the code we sent to new@babesclub.example.'),
    ).toBeInTheDocument();
    expect(api.calls('PUT /dashboard/profile')[0]?.body).toEqual({ email: 'new@babesclub.example' });
  });

  it('sends nothing for the same email in another letter case', async () => {
    const { form, user } = await openForm();
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), 'Demo@BabesClub.Example');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('There were no changes to save.')).toBeInTheDocument();
    expect(api.calls('PUT /dashboard/profile')).toHaveLength(0);
  });
});
