import { describe, expect, it } from 'vitest';
import { makeJwt } from '../test/render';
import { clearSession, consumeDemoToken, decodeJwtPayload, parseSession, readSession, SESSION_KEY } from './session';

describe('session', () => {
  it('decodes a JWT payload (base64url, UTF-8) and refuses garbage', () => {
    const token = makeJwt({ displayName: 'Zoë', exp: 1 });
    expect(decodeJwtPayload(token)).toEqual({ displayName: 'Zoë', exp: 1 });
    expect(decodeJwtPayload('nope')).toBeNull();
    expect(decodeJwtPayload('a.!!!.c')).toBeNull();
  });

  it('reads the identity service shape with expiresAt as ISO, seconds or milliseconds', () => {
    const user = { userId: 'u1', email: 'a@b.co', displayName: 'A' };
    expect(parseSession(JSON.stringify({ token: 't', expiresAt: '2030-01-01T00:00:00Z', user }))).toEqual({
      token: 't',
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
      user,
    });
    expect(parseSession(JSON.stringify({ token: 't', expiresAt: 1_900_000_000, user }))?.expiresAt).toBe(1_900_000_000_000);
    expect(parseSession(JSON.stringify({ token: 't', expiresAt: 1_900_000_000_000, user }))?.expiresAt).toBe(1_900_000_000_000);
  });

  it('falls back to the token exp and claims when the stored session lacks them', () => {
    const token = makeJwt({ userId: 'u2', displayName: 'From Token', exp: 1_900_000_000 });
    expect(parseSession(JSON.stringify({ token }))).toEqual({
      token,
      expiresAt: 1_900_000_000_000,
      user: { userId: 'u2', displayName: 'From Token' },
    });
  });

  it('refuses values that are not sessions', () => {
    expect(parseSession(null)).toBeNull();
    expect(parseSession('{')).toBeNull();
    expect(parseSession('{"token":""}')).toBeNull();
    expect(parseSession('{"token":"opaque"}')).toBeNull();
  });

  it('prefers an unexpired session from either storage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    window.localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 'old', expiresAt: now - 1, user: {} }));
    expect(readSession(now)).toEqual({ status: 'signed-out', reason: 'expired' });
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: 'new', expiresAt: now + 1000, user: {} }));
    expect(readSession(now)).toMatchObject({ status: 'signed-in', session: { token: 'new' } });
    clearSession('new');
    expect(window.sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(window.localStorage.getItem(SESSION_KEY)).not.toBeNull();
    clearSession();
    expect(readSession(now)).toEqual({ status: 'signed-out', reason: 'missing' });
  });

  it('ignores fragments that are not demo tokens', () => {
    window.history.replaceState(null, '', '/#orders');
    expect(consumeDemoToken()).toBe(false);
    expect(window.location.hash).toBe('#orders');
  });

  it('clears a malformed demo token without signing in', () => {
    window.history.replaceState(null, '', '/#demo-token=not-a-jwt');
    expect(consumeDemoToken()).toBe(true);
    expect(window.location.hash).toBe('');
    expect(window.sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });
});
