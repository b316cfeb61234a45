// The member's sign-in state. The identity service keeps its session in
// browser storage under SESSION_KEY as {token, expiresAt, user}; we read it
// from localStorage or sessionStorage and never write the identity service's
// copy. The demo link of `dashboard serve --demo` (/#demo-token=<JWT>) stores
// a demo session in sessionStorage.
//
// The token's payload is decoded only to show a name and to know when the
// session ends; the API verifies the token, the browser never trusts it.

export const SESSION_KEY = 'babes.dashboard.session';
const DEMO_PREFIX = '#demo-token=';

export interface SessionUser {
  userId?: string;
  email?: string;
  displayName?: string;
  role?: string;
}

export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  user: SessionUser;
}

export type SessionState =
  | { status: 'signed-in'; session: Session }
  | { status: 'signed-out'; reason: SignedOutReason };

export type SignedOutReason = 'missing' | 'expired' | 'unauthorized' | 'signed-out';

/** decodeJwtPayload reads a JWT's claims without verifying anything. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** toMillis reads an expiry given as epoch seconds, epoch milliseconds or an ISO date. */
function toMillis(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string' && v.trim()) {
    if (/^\d+$/.test(v.trim())) return toMillis(Number(v));
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function userFrom(o: Record<string, unknown> | null): SessionUser {
  if (!o) return {};
  const user: SessionUser = {};
  const userId = str(o.userId) ?? str(o.sub) ?? str(o.id);
  if (userId) user.userId = userId;
  const email = str(o.email);
  if (email) user.email = email;
  const displayName = str(o.displayName) ?? str(o.name);
  if (displayName) user.displayName = displayName;
  const role = str(o.role);
  if (role) user.role = role;
  return user;
}

/** parseSession validates a stored value; null when it is not a session. */
export function parseSession(raw: string | null): Session | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const token = str(o.token);
  if (!token) return null;
  const claims = decodeJwtPayload(token);
  const expiresAt = toMillis(o.expiresAt) ?? toMillis(claims?.exp);
  if (expiresAt === null) return null;
  const stored = typeof o.user === 'object' && o.user !== null ? (o.user as Record<string, unknown>) : null;
  return { token, expiresAt, user: { ...userFrom(claims), ...userFrom(stored) } };
}

function storages(): Storage[] {
  const out: Storage[] = [];
  for (const get of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      out.push(get());
    } catch {
      // Storage can be disabled (privacy settings); treat it as empty.
    }
  }
  return out;
}

/**
 * readSession finds the member's session: the first unexpired one in
 * localStorage or sessionStorage; "expired" when only expired ones exist.
 */
export function readSession(now: number = Date.now()): SessionState {
  let sawExpired = false;
  for (const s of storages()) {
    const session = parseSession(s.getItem(SESSION_KEY));
    if (!session) continue;
    if (session.expiresAt > now) return { status: 'signed-in', session };
    sawExpired = true;
  }
  return { status: 'signed-out', reason: sawExpired ? 'expired' : 'missing' };
}

/** clearSession removes the stored session (only copies holding token, when given). */
export function clearSession(token?: string): void {
  for (const s of storages()) {
    const session = parseSession(s.getItem(SESSION_KEY));
    if (!token || !session || session.token === token) s.removeItem(SESSION_KEY);
  }
}

/**
 * consumeDemoToken handles the demo sign-in link: it stores a session built
 * from the token in the URL fragment and removes the fragment from the
 * address bar (and history), so the token is not left on screen. It returns
 * whether the page had a demo token.
 */
export function consumeDemoToken(loc: Location = window.location, hist: History = window.history): boolean {
  if (!loc.hash.startsWith(DEMO_PREFIX)) return false;
  const token = decodeURIComponent(loc.hash.slice(DEMO_PREFIX.length)).trim();
  hist.replaceState(hist.state, '', loc.pathname + loc.search);
  const claims = decodeJwtPayload(token);
  const expiresAt = toMillis(claims?.exp);
  if (!token || !claims || expiresAt === null) return true;
  const session: Session = { token, expiresAt, user: userFrom(claims) };
  try {
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Without storage the demo link cannot sign in; the sign-in screen says so.
  }
  return true;
}
