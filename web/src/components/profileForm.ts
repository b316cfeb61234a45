// The profile form's values, validation and diff, apart from its markup.
import type { Address, AddressInput, DashboardSettings, Profile, ProfileUpdate } from '../api/types';
import {
  addressParts,
  checkAddress,
  checkAvatarUrl,
  checkDisplayName,
  checkEmail,
  checkPhone,
  checkWallet,
  emptyAddress,
  isBlankAddress,
  type AddressValues,
} from '../lib/validation';

export interface FormValues {
  displayName: string;
  email: string;
  phone: string;
  avatarUrl: string;
  preferredWallet: string;
  shippingAddress: AddressValues;
  billingAddress: AddressValues;
  sameAsShipping: boolean;
  dashboardSettings: DashboardSettings;
}

/** Errors by the server's field names: `email`, `shippingAddress.city`, … */
export type FormErrors = Record<string, string>;

export type TextField = 'displayName' | 'email' | 'phone' | 'avatarUrl' | 'preferredWallet';

function addressValues(a: Address | null): AddressValues {
  if (!a) return emptyAddress();
  return {
    name: a.name ?? '',
    line1: a.line1,
    line2: a.line2 ?? '',
    city: a.city,
    state: a.state,
    postalCode: a.postalCode,
    country: a.country,
  };
}

function sameAddress(a: AddressValues, b: AddressValues): boolean {
  return addressParts.every((p) => a[p].trim() === b[p].trim());
}

export function valuesFromProfile(p: Profile): FormValues {
  const shipping = addressValues(p.shippingAddress);
  const billing = addressValues(p.billingAddress);
  return {
    displayName: p.displayName,
    email: p.email,
    phone: p.phone ?? '',
    avatarUrl: p.avatarUrl ?? '',
    preferredWallet: p.preferredWallet ?? '',
    shippingAddress: shipping,
    billingAddress: billing,
    // Checked when both are the same address (or both unset).
    sameAsShipping: sameAddress(shipping, billing),
    dashboardSettings: { ...p.dashboardSettings },
  };
}

/** effectiveBilling is the billing address that will be saved. */
export function effectiveBilling(v: FormValues): AddressValues {
  return v.sameAsShipping ? v.shippingAddress : v.billingAddress;
}

export function validate(v: FormValues): FormErrors {
  const errors: FormErrors = {};
  const put = (k: string, msg: string | null) => {
    if (msg) errors[k] = msg;
  };
  put('displayName', checkDisplayName(v.displayName));
  put('email', checkEmail(v.email));
  put('phone', checkPhone(v.phone));
  put('avatarUrl', checkAvatarUrl(v.avatarUrl));
  put('preferredWallet', checkWallet(v.preferredWallet));
  for (const [k, msg] of Object.entries(checkAddress(v.shippingAddress))) errors[`shippingAddress.${k}`] = msg;
  if (!v.sameAsShipping) {
    for (const [k, msg] of Object.entries(checkAddress(v.billingAddress))) errors[`billingAddress.${k}`] = msg;
  }
  return errors;
}

function toInput(a: AddressValues): AddressInput | null {
  if (isBlankAddress(a)) return null;
  return {
    name: a.name.trim() || null,
    line1: a.line1.trim(),
    line2: a.line2.trim() || null,
    city: a.city.trim(),
    state: a.state.trim(),
    postalCode: a.postalCode.trim(),
    country: a.country.trim().toUpperCase(),
  };
}

/** buildUpdate is the partial update of what the member changed (empty when nothing). */
export function buildUpdate(initial: FormValues, v: FormValues): ProfileUpdate {
  const u: ProfileUpdate = {};
  if (v.displayName.trim() !== initial.displayName.trim()) u.displayName = v.displayName.trim();
  // The same address in another letter case is no change (the API mails nothing for it either).
  if (v.email.trim().toLowerCase() !== initial.email.trim().toLowerCase()) u.email = v.email.trim();
  const optional = (k: 'phone' | 'avatarUrl' | 'preferredWallet') => {
    if (v[k].trim() !== initial[k].trim()) u[k] = v[k].trim() || null;
  };
  optional('phone');
  optional('avatarUrl');
  optional('preferredWallet');
  if (!sameAddress(v.shippingAddress, initial.shippingAddress)) u.shippingAddress = toInput(v.shippingAddress);
  const billing = effectiveBilling(v);
  if (!sameAddress(billing, initial.billingAddress)) u.billingAddress = toInput(billing);
  const settings: Partial<DashboardSettings> = {};
  for (const k of Object.keys(v.dashboardSettings) as (keyof DashboardSettings)[]) {
    if (v.dashboardSettings[k] !== initial.dashboardSettings[k]) settings[k] = v.dashboardSettings[k];
  }
  if (Object.keys(settings).length > 0) u.dashboardSettings = settings;
  return u;
}

/**
 * placeServerErrors maps the server's `fields` onto the form's inputs. With
 * "billing same as shipping" checked, billing errors are shown on the
 * shipping inputs they came from. Fields without an input are returned
 * separately for the form's summary.
 */
export function placeServerErrors(
  fields: Readonly<Record<string, string>>,
  v: FormValues,
  known: ReadonlySet<string>,
): { placed: FormErrors; unplaced: [string, string][] } {
  const placed: FormErrors = {};
  const unplaced: [string, string][] = [];
  for (const [key, msg] of Object.entries(fields)) {
    let k = key;
    if (v.sameAsShipping && k.startsWith('billingAddress.')) k = `shippingAddress.${k.slice('billingAddress.'.length)}`;
    if (known.has(k)) {
      if (!placed[k]) placed[k] = msg;
    } else {
      unplaced.push([key, msg]);
    }
  }
  return { placed, unplaced };
}
