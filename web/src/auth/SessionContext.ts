import { createContext, useContext } from 'react';
import type { Session, SignedOutReason } from './session';

export interface SessionContextValue {
  session: Session;
  /** endSession shows the sign-in screen (after a 401, or when the member signs out). */
  endSession: (reason: SignedOutReason) => void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession must be used inside DashboardRouteGuard');
  return v;
}
