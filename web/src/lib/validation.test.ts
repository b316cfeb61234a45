import { describe, expect, it } from 'vitest';
import { checkAddress, checkAvatarUrl, checkDisplayName, checkEmail, checkPhone, checkWallet, emptyAddress } from './validation';

describe('validation mirrors the server rules', () => {
  it('displayName: 1–80 characters after trimming, no control characters', () => {
    expect(checkDisplayName('Rose')).toBeNull();
    expect(checkDisplayName('   ')).not.toBeNull();
    expect(checkDisplayName('a'.repeat(80))).toBeNull();
    expect(checkDisplayName('a'.repeat(81))).not.toBeNull();
    expect(checkDisplayName('😀'.repeat(80))).toBeNull();
    expect(checkDisplayName('bad\u0007name')).toBe('Must not contain control characters.');
  });

  it('email', () => {
    for (const ok of ['a@b.co', 'first.last+tag@babesclub.example']) expect(checkEmail(ok)).toBeNull();
    for (const bad of ['', 'a', 'a@b', 'a@.b', 'a@b.', 'a b@c.de', '<a@b.co>', '@b.co', 'a@b..co', `${'a'.repeat(250)}@b.co`]) {
      expect(checkEmail(bad), bad).not.toBeNull();
    }
  });

  it('phone: optional, ≤ 20 of digits, spaces and +-() with a digit', () => {
    expect(checkPhone('')).toBeNull();
    expect(checkPhone('+1 (555) 010-2025')).toBeNull();
    expect(checkPhone('+-()')).not.toBeNull();
    expect(checkPhone('555.010.2025')).not.toBeNull();
    expect(checkPhone('1'.repeat(21))).not.toBeNull();
  });

  it('wallet: optional, 0x + 40 hex', () => {
    expect(checkWallet('')).toBeNull();
    expect(checkWallet('0x52908400098527886E0F7030069857D2E4169EE7')).toBeNull();
    expect(checkWallet('0x5290840009852788')).not.toBeNull();
    expect(checkWallet('52908400098527886E0F7030069857D2E4169EE7')).not.toBeNull();
    expect(checkWallet('0xZZ908400098527886E0F7030069857D2E4169EE7')).not.toBeNull();
  });

  it('avatar: optional https URL', () => {
    expect(checkAvatarUrl('')).toBeNull();
    expect(checkAvatarUrl('https://images.example/a.png')).toBeNull();
    expect(checkAvatarUrl('http://images.example/a.png')).not.toBeNull();
    expect(checkAvatarUrl('https://user:pw@images.example/a.png')).not.toBeNull();
    expect(checkAvatarUrl('https://images.example/a b.png')).not.toBeNull();
    expect(checkAvatarUrl(`https://x.example/${'a'.repeat(2048)}`)).not.toBeNull();
  });

  it('address: blank clears; otherwise required parts and an assigned ISO country', () => {
    expect(checkAddress(emptyAddress())).toEqual({});
    const a = { ...emptyAddress(), line1: '1 Main St', city: 'Paris', state: 'IDF', postalCode: '75001', country: 'fr' };
    expect(checkAddress(a)).toEqual({});
    expect(checkAddress({ ...a, city: ' ', country: 'XX' })).toEqual({
      city: 'Required.',
      country: 'Must be a two-letter ISO country code, such as US or GB.',
    });
    expect(checkAddress({ ...emptyAddress(), line2: 'Apt 4' })).toEqual({
      line1: 'Required.',
      city: 'Required.',
      state: 'Required.',
      postalCode: 'Required.',
      country: 'Required.',
    });
    expect(checkAddress({ ...a, line1: 'x'.repeat(201) })).toEqual({ line1: 'Must be at most 200 characters.' });
  });
});
