import { QueryClient } from '@tanstack/react-query';
import { isApiError } from './errors';

/** shouldRetry retries network failures and 5xx/429 twice; a 4xx will not change on retry. */
export function shouldRetry(failureCount: number, err: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!isApiError(err)) return false;
  return err.status === 0 || err.status === 429 || err.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        staleTime: 30_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
