// Client-side checks that mirror the server's profile rules
// (profile/validate.go), so a member hears about a mistake before a round
// trip. The server stays the authority: its `fields` errors are shown the same
// way.
import { isCountryCode } from './countries';

export const limits = {
  displayName: 80,
  email: 254,
  phone: 20,
  addressPart: 200,
  avatarUrl: 2048,
} as const;

const controlChars = /[\u0000-\u001f\u007f-\u009f]/;

function chars(s: string): number {
  return [...s].length;
}

export function checkDisplayName(value: string): string | null {
  const s = value.trim();
  if (chars(s) < 1 || chars(s) > limits.displayName) return `Must be 1 to ${limits.displayName} characters.`;
  if (controlChars.test(s)) return 'Must not contain control characters.';
  return null;
}

export function checkEmail(value: string): string | null {
  const s = value.trim();
  const bad = 'Must be a valid email address.';
  if (!s || s.length > limits.email || controlChars.test(s) || /[\s<>"]/.test(s)) return bad;
  const at = s.lastIndexOf('@');
  if (at <= 0) return bad;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.includes('@') && !(local.startsWith('"') && local.endsWith('"'))) return bad;
  if (!domain.includes('.') || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) return bad;
  if (!/^[A-Za-z0-9.-]+$/.test(domain) && !/^\[.+\]$/.test(domain)) return bad;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return bad;
  return null;
}

/** checkPhone accepts an empty value (the phone is optional: empty clears it). */
export function checkPhone(value: string): string | null {
  const s = value.trim();
  if (!s) return null;
  if (s.length > limits.phone || !/^[0-9 +()-]+$/.test(s) || !/[0-9]/.test(s)) {
    return `Must be up to ${limits.phone} characters of digits, spaces and + - ( ).`;
  }
  return null;
}

/**
 * checkWallet accepts an empty value (optional) or 0x + 40 hex digits. A
 * mixed-case address must also carry a correct EIP-55 checksum; the server
 * checks that one (it needs Keccak-256) and the form shows its answer.
 */
export function checkWallet(value: string): string | null {
  const s = value.trim();
  if (!s) return null;
  if (!/^0x[0-9a-fA-F]{40}$/.test(s)) return 'Must be an Ethereum address: 0x followed by 40 hex digits.';
  return null;
}

export function checkAvatarUrl(value: string): string | null {
  const s = value.trim();
  if (!s) return null;
  const bad = `Must be an https URL of at most ${limits.avatarUrl} characters.`;
  if (s.length > limits.avatarUrl || controlChars.test(s) || /[\s\\]/.test(s)) return bad;
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' || !u.hostname || u.username || u.password) return bad;
  } catch {
    return bad;
  }
  return null;
}

export const addressParts = ['name', 'line1', 'line2', 'city', 'state', 'postalCode', 'country'] as const;
export type AddressPart = (typeof addressParts)[number];
export type AddressValues = Record<AddressPart, string>;
export const requiredAddressParts: readonly AddressPart[] = ['line1', 'city', 'state', 'postalCode', 'country'];

export function emptyAddress(): AddressValues {
  return { name: '', line1: '', line2: '', city: '', state: '', postalCode: '', country: '' };
}

export function isBlankAddress(a: AddressValues): boolean {
  return addressParts.every((p) => !a[p].trim());
}

/**
 * checkAddress returns errors keyed by part. A blank address is valid (it
 * clears the address); otherwise every required part must be filled in.
 */
export function checkAddress(a: AddressValues): Partial<Record<AddressPart, string>> {
  const errors: Partial<Record<AddressPart, string>> = {};
  if (isBlankAddress(a)) return errors;
  for (const p of addressParts) {
    const v = a[p].trim();
    if (chars(v) > limits.addressPart) errors[p] = `Must be at most ${limits.addressPart} characters.`;
    else if (controlChars.test(v)) errors[p] = 'Must not contain control characters.';
  }
  for (const p of requiredAddressParts) {
    if (!errors[p] && !a[p].trim()) errors[p] = 'Required.';
  }
  const country = a.country.trim();
  if (!errors.country && country && !isCountryCode(country)) {
    errors.country = 'Must be a two-letter ISO country code, such as US or GB.';
  }
  return errors;
}
