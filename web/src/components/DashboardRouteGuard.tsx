import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { clearSession, consumeDemoToken, readSession, SESSION_KEY, type SessionState, type SignedOutReason } from '../auth/session';
import { SessionContext, type SessionContextValue } from '../auth/SessionContext';
import { SignInScreen } from './SignInScreen';

function initialState(): SessionState {
  consumeDemoToken();
  return readSession();
}

// Timers longer than this overflow setTimeout's 32-bit delay.
const maxTimer = 2 ** 31 - 1;

/**
 * DashboardRouteGuard renders its children only while the member has an
 * unexpired session; otherwise, or after any 401 from the API, it shows the
 * sign-in screen. It picks up a sign-in made in another tab (storage events)
 * and signs out when the session expires while the page is open.
 */
export function DashboardRouteGuard({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(initialState);

  const recheck = useCallback(() => setState(readSession()), []);

  const endSession = useCallback((reason: SignedOutReason) => {
    setState((cur) => {
      if (cur.status === 'signed-in' && (reason === 'unauthorized' || reason === 'signed-out')) {
        clearSession(cur.session.token);
      }
      return { status: 'signed-out', reason };
    });
  }, []);

  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === null || e.key === SESSION_KEY) recheck();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [recheck]);

  const expiresAt = state.status === 'signed-in' ? state.session.expiresAt : null;
  useEffect(() => {
    if (expiresAt === null) return;
    const t = window.setTimeout(() => setState({ status: 'signed-out', reason: 'expired' }), Math.min(maxTimer, Math.max(0, expiresAt - Date.now())));
    return () => window.clearTimeout(t);
  }, [expiresAt]);

  const session = state.status === 'signed-in' ? state.session : null;
  const value = useMemo<SessionContextValue | null>(() => (session ? { session, endSession } : null), [session, endSession]);

  if (!value) {
    return <SignInScreen reason={state.status === 'signed-out' ? state.reason : 'missing'} onRetry={recheck} />;
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
