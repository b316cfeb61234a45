import type { Address, AddressInput, DashboardSettings, Profile, ProfileUpdate } from './types';

const defaultSettings: DashboardSettings = { showOrderHistory: true, showNftHoldings: true, emailNotifications: true };

function toAddress(a: AddressInput | null | undefined): Address | null {
  if (!a) return null;
  const out: Address = {
    line1: a.line1.trim(),
    city: a.city.trim(),
    state: a.state.trim(),
    postalCode: a.postalCode.trim(),
    country: a.country.trim().toUpperCase(),
  };
  if (a.name?.trim()) out.name = a.name.trim();
  if (a.line2?.trim()) out.line2 = a.line2.trim();
  return out;
}

/**
 * applyUpdate predicts the profile after a partial update, the way the server
 * applies it (absent: unchanged; null: cleared), for the optimistic view
 * shown while the save is in flight. A new email is left out: it never takes
 * effect on save (it waits for its mailed code), and whether a code was sent
 * is the server's answer to show, not a guess.
 */
export function applyUpdate(p: Profile, u: ProfileUpdate): Profile {
  const next: Profile = { ...p };
  if (u.displayName !== undefined) next.displayName = u.displayName.trim();
  if (u.phone !== undefined) next.phone = u.phone?.trim() || null;
  if (u.avatarUrl !== undefined) next.avatarUrl = u.avatarUrl?.trim() || null;
  if (u.preferredWallet !== undefined) next.preferredWallet = u.preferredWallet?.trim() || null;
  if (u.shippingAddress !== undefined) next.shippingAddress = toAddress(u.shippingAddress);
  if (u.billingAddress !== undefined) next.billingAddress = toAddress(u.billingAddress);
  if (u.dashboardSettings !== undefined) {
    next.dashboardSettings =
      u.dashboardSettings === null ? { ...defaultSettings } : { ...p.dashboardSettings, ...u.dashboardSettings };
  }
  return next;
}
