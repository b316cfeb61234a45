import { describe, expect, it } from 'vitest';
import { collectionLabel, formatMoney, formatRelative, formatWait, shortAddress } from './format';

describe('format', () => {
  it('formats minor units in the currency', () => {
    expect(formatMoney(12345, 'usd')).toBe('$123.45');
    expect(formatMoney(0, 'usd')).toBe('$0.00');
    expect(formatMoney(5000, 'eur')).toBe('€50.00');
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(formatMoney(1234, 'kwd')).toMatch(/^KWD\s1\.234$/);
    expect(formatMoney(100, 'xx!')).toBe('1.00 XX!');
  });

  it('says how long ago', () => {
    const now = new Date('2025-11-26T12:00:00Z');
    expect(formatRelative('2025-11-26T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2025-11-26T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2025-11-26T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2025-11-25T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelative(null, now)).toBe('never');
  });

  it('says how long to wait, rounded up', () => {
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(59)).toBe('59 seconds');
    expect(formatWait(60)).toBe('about 1 minute');
    expect(formatWait(61)).toBe('about 2 minutes');
    expect(formatWait(2520)).toBe('about 42 minutes');
    expect(formatWait(3600)).toBe('about 1 hour');
    expect(formatWait(3601)).toBe('about 2 hours');
  });

  it('shortens addresses and names collections', () => {
    expect(shortAddress('0x52908400098527886E0F7030069857D2E4169EE7')).toBe('0x5290…9EE7');
    expect(collectionLabel('babes-club-genesis')).toBe('Babes Club Genesis');
    expect(collectionLabel('0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d')).toBe('Collection 0x1a2b…3c4d');
  });
});
