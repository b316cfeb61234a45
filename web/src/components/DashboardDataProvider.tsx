import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiContext } from '../api/ApiContext';
import { createApiClient } from '../api/client';
import { createQueryClient } from '../api/queryClient';
import { useSession } from '../auth/SessionContext';

const apiBase: string = import.meta.env.VITE_API_BASE_URL ?? '';

/**
 * DashboardDataProvider wires the one API client (with the member's token,
 * and a 401 handler that shows the sign-in screen) and the one server-state
 * cache (TanStack Query) for everything below it. Components read and write
 * server state only through the hooks in api/queries.ts.
 */
export function DashboardDataProvider({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const { session, endSession } = useSession();
  const [client] = useState(() => queryClient ?? createQueryClient());

  // The client reads the token through a ref so a refreshed session needs no new client.
  const token = useRef(session.token);
  token.current = session.token;

  const api = useMemo(
    () =>
      createApiClient({
        baseUrl: apiBase,
        getToken: () => token.current,
        onUnauthorized: () => endSession('unauthorized'),
      }),
    [endSession],
  );

  // Another member's data must never show: drop the cache when the member changes. (Signing out
  // unmounts this provider, and with it the cache it created.)
  const member = session.user.userId ?? session.token;
  const shownMember = useRef(member);
  useEffect(() => {
    if (shownMember.current !== member) {
      shownMember.current = member;
      client.clear();
    }
  }, [client, member]);

  return (
    <QueryClientProvider client={client}>
      <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
    </QueryClientProvider>
  );
}
